//! Arguments checked before use. wasm-bindgen's glue for `&str`, `String` and `&[u8]` trusts
//! the caller's types: a number or an object where a string belongs traps the module
//! ("memory access out of bounds") instead of throwing, and a string where bytes belong is
//! signed as whatever the glue made of it. Public functions take a `JsValue` (declared with
//! its real type) and convert it here, into a typed error when it is not what it should be.

use crate::error::{Error, ErrorCode, Result};
use wasm_bindgen::prelude::*;

#[cfg(feature = "payments")]
pub fn string(value: &JsValue, code: ErrorCode, what: &str) -> Result<String> {
    value.as_string().ok_or_else(|| Error::new(code, format!("{what} must be a string")))
}

/// A `Uint8Array` (a Node `Buffer` is one), or an array of byte values.
pub fn bytes(value: &JsValue, code: ErrorCode, what: &str) -> Result<Vec<u8>> {
    if value.is_instance_of::<js_sys::Uint8Array>() {
        return Ok(js_sys::Uint8Array::new(value).to_vec());
    }
    let invalid = || Error::new(code, format!("{what} must be a Uint8Array"));
    if !js_sys::Array::is_array(value) {
        return Err(invalid());
    }
    let byte = |v: JsValue| v.as_f64().filter(|n| n.fract() == 0.0 && (0.0..=255.0).contains(n)).map(|n| n as u8);
    js_sys::Array::from(value).iter().map(|v| byte(v).ok_or_else(invalid)).collect()
}
