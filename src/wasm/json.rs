//! JS values cross the boundary as JSON text (the engine's own `JSON.parse/stringify`), which
//! keeps one JSON implementation in the wasm instead of a second, value-walking one. BigInts,
//! which JSON cannot hold, cross as decimal strings.

use crate::error::{Error, ErrorCode, Result};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;

/// `JSON.stringify(value, (k, v) => typeof v === 'bigint' ? v.toString() : v)`.
pub fn stringify(value: &JsValue) -> Option<String> {
    let replacer = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|_key: JsValue, v: JsValue| {
        if v.is_bigint() {
            js_sys::BigInt::unchecked_from_js(v).to_string(10).map(JsValue::from).unwrap_or(JsValue::UNDEFINED)
        } else {
            v
        }
    });
    let text = js_sys::JSON::stringify_with_replacer(value, replacer.as_ref().unchecked_ref()).ok()?;
    text.as_string()
}

pub fn from_js<T: DeserializeOwned>(value: &JsValue, code: ErrorCode, what: &str) -> Result<T> {
    let text = stringify(value).ok_or_else(|| Error::new(code, format!("{what} is not JSON data")))?;
    crate::json::from_text(&text).map_err(|e| Error::new(code, format!("invalid {what}: {e}")))
}

pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Error::new(ErrorCode::InvalidOptions, e.to_string()))
}
