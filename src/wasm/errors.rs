//! Rust errors become JS `X402Error`s: instances of the package's `X402Error` class (found
//! through a global symbol, so every module and copy of the package in one realm shares it),
//! with `name`, a stable `code`, `message`, and the platform's original error as `cause`.

use crate::error::Error;
use js_sys::{Array, Function, Object, Reflect, Symbol};
use wasm_bindgen::prelude::*;

/// Where `js/errors.js` registers the class.
const CLASS_KEY: &str = "x402-vara-wasm.X402Error";

pub fn to_js(e: Error) -> JsValue {
    #[cfg(feature = "payments")]
    let details = e.details.as_ref().and_then(|d| super::json::to_js(&d.0).ok());
    #[cfg(not(feature = "payments"))]
    let details: Option<JsValue> = None;
    let error = make(e);
    if let Some(details) = details {
        let _ = Reflect::set(&error, &"details".into(), &details);
    }
    error
}

fn make(e: Error) -> JsValue {
    let cause = e.cause.as_ref().and_then(|c| c.0.downcast_ref::<JsValue>()).cloned();
    let options = Object::new();
    if let Some(cause) = &cause {
        let _ = Reflect::set(&options, &"cause".into(), cause);
    }
    let class =
        Reflect::get(&js_sys::global(), &Symbol::for_(CLASS_KEY)).ok().and_then(|c| c.dyn_into::<Function>().ok());
    let made = class.and_then(|class| {
        let args = Array::of3(&e.code.as_str().into(), &e.message.as_str().into(), &options);
        Reflect::construct(&class, &args).ok()
    });
    made.unwrap_or_else(|| {
        // The class was not loaded (the glue used on its own): an Error of the same shape.
        let error = js_sys::Error::new(&e.message);
        error.set_name("X402Error");
        let _ = Reflect::set(&error, &"code".into(), &e.code.as_str().into());
        if let Some(cause) = &cause {
            let _ = Reflect::set(&error, &"cause".into(), cause);
        }
        error.into()
    })
}

/// A JS exception thrown by user code (fetch, a signer): keep its message, its code when it
/// already is an `X402Error`, and the exception itself as the cause.
#[cfg(feature = "payments")]
pub fn from_js(value: JsValue, fallback: crate::error::ErrorCode) -> Error {
    use crate::error::{Cause, ErrorCode};
    use std::rc::Rc;
    let code = Reflect::get(&value, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .and_then(|c| ErrorCode::parse(&c))
        .unwrap_or(fallback);
    let message = Reflect::get(&value, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown JavaScript error".into());
    Error::new(code, message).with_cause(Some(Cause(Rc::new(value))))
}
