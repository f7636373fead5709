//! Rust errors become JS `X402Error` objects: `name`, `code` (stable), `message`.

use crate::error::{Error, ErrorCode};
use wasm_bindgen::prelude::*;

pub fn to_js(e: Error) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    error.set_name("X402Error");
    let _ = js_sys::Reflect::set(&error, &"code".into(), &e.code.as_str().into());
    error.into()
}

/// A JS exception thrown by user code (fetch, a signer): keep its message, and its code
/// when it already is an `X402Error`.
pub fn from_js(value: JsValue, fallback: ErrorCode) -> Error {
    let code = js_sys::Reflect::get(&value, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .and_then(|c| ErrorCode::parse(&c))
        .unwrap_or(fallback);
    let message = js_sys::Reflect::get(&value, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown JavaScript error".into());
    Error::new(code, message)
}
