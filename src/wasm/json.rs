//! JS values cross the boundary as JSON text (the engine's own `JSON.parse/stringify`), which
//! keeps one JSON implementation in the wasm instead of a second, value-walking one. BigInts,
//! which JSON cannot hold, cross as decimal strings.

use crate::error::{Error, ErrorCode, Result};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;

/// `JSON.stringify(value, (k, v) => typeof v === 'bigint' ? v.toString() : v)`; `None` when
/// the value is not JSON data, or holds a number that is not finite (see [`text_of`]).
pub fn stringify(value: &JsValue) -> Option<String> {
    text_of(value).ok()
}

/// [`stringify`], saying why not. `JSON.stringify` writes NaN and ±Infinity as `null`, which
/// would read as an absent value: such a number is refused instead, by its key.
fn text_of(value: &JsValue) -> core::result::Result<String, String> {
    let not_finite = std::rc::Rc::new(std::cell::RefCell::new(None::<String>));
    let seen = not_finite.clone();
    let replacer = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(move |key: JsValue, v: JsValue| {
        if v.is_bigint() {
            return js_sys::BigInt::unchecked_from_js(v).to_string(10).map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        }
        if v.as_f64().is_some_and(|f| !f.is_finite()) && seen.borrow().is_none() {
            *seen.borrow_mut() = Some(key.as_string().unwrap_or_default());
        }
        v
    });
    let text = js_sys::JSON::stringify_with_replacer(value, replacer.as_ref().unchecked_ref()).ok();
    if let Some(key) = not_finite.borrow_mut().take() {
        return Err(match key.is_empty() {
            true => "a number that is not finite".to_string(),
            false => format!("{key:?} is not a finite number (NaN or Infinity)"),
        });
    }
    text.and_then(|t| t.as_string()).ok_or_else(|| "not JSON data".to_string())
}

pub fn from_js<T: DeserializeOwned>(value: &JsValue, code: ErrorCode, what: &str) -> Result<T> {
    let text = text_of(value).map_err(|why| Error::new(code, format!("invalid {what}: {why}")))?;
    crate::json::from_text(&text).map_err(|e| Error::new(code, format!("invalid {what}: {e}")))
}

pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Error::new(ErrorCode::InvalidOptions, e.to_string()))
}
