//! Reads a response body chunk by chunk and gives up as soon as it passes a limit: a hostile
//! server or node could stream gigabytes, with or without a Content-Length.

use super::cancel::{Cancel, Timer};
use super::errors::from_js;
use crate::error::{Error, ErrorCode, Result};
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::Response;

/// The body as bytes, at most `limit` of them; `code` is the error code for every failure.
pub async fn read_limited(
    response: &Response,
    limit: usize,
    what: &str,
    code: ErrorCode,
    cancel: &Cancel,
    timer: Option<&Timer>,
) -> Result<Vec<u8>> {
    let too_big = || Error::new(code, format!("{what} exceeds {limit} bytes"));
    if let Ok(Some(length)) = response.headers().get("content-length") {
        if length.trim().parse::<usize>().is_ok_and(|n| n > limit) {
            return Err(too_big());
        }
    }
    let Some(body) = response.body() else { return Ok(Vec::new()) };
    let reader: web_sys::ReadableStreamDefaultReader =
        body.get_reader().dyn_into().map_err(|e: js_sys::Object| from_js(e.into(), code))?;
    let mut bytes = Vec::new();
    loop {
        let chunk = match cancel.wait(&reader.read(), timer, code).await {
            Ok(chunk) => chunk,
            Err(e) => {
                let _ = reader.cancel();
                return Err(e);
            }
        };
        if Reflect::get(&chunk, &"done".into()).map_or(true, |d| d.is_truthy()) {
            return Ok(bytes);
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(|e| from_js(e, code))?;
        let value: js_sys::Uint8Array =
            value.dyn_into().map_err(|_| Error::new(code, format!("{what} is not bytes")))?;
        if bytes.len() + value.length() as usize > limit {
            let _ = reader.cancel();
            return Err(too_big());
        }
        bytes.extend_from_slice(&value.to_vec());
    }
}
