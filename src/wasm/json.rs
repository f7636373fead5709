//! JS values cross the boundary as JSON text (the engine's own `JSON.parse/stringify`), which
//! keeps one JSON implementation in the wasm instead of a second, value-walking one.

use crate::error::{Error, ErrorCode, Result};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::JsValue;

pub fn from_js<T: DeserializeOwned>(value: &JsValue, code: ErrorCode, what: &str) -> Result<T> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::new(code, format!("{what} is not JSON data")))?;
    serde_json::from_str(&text).map_err(|e| Error::new(code, format!("invalid {what}: {e}")))
}

pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    let text = serde_json::to_string(value).map_err(|e| Error::new(ErrorCode::InvalidOptions, e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| Error::new(ErrorCode::InvalidOptions, "JSON.parse failed"))
}
