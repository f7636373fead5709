//! Reads a response body chunk by chunk and gives up as soon as it passes a limit: a hostile
//! server or node could stream gigabytes, with or without a Content-Length, or trickle a byte
//! at a time (the `timer` bounds the whole read; the caller's signal ends it at once).
//!
//! A stream given up on is cancelled without waiting (a peer's cancel may never finish) and
//! the cancel's promise is observed: it rejects when the stream has already errored (the
//! request's signal fired), and unobserved that rejection would kill a Node process.

use super::cancel::{observe, Cancel, Timer};
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
                observe(&reader.cancel());
                return Err(match (e.code, timer) {
                    (ErrorCode::Timeout, Some(t)) => {
                        Error::new(ErrorCode::Timeout, format!("{what} did not arrive within {} ms", t.ms))
                    }
                    _ => e,
                });
            }
        };
        if Reflect::get(&chunk, &"done".into()).map_or(true, |d| d.is_truthy()) {
            return Ok(bytes);
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(|e| from_js(e, code))?;
        let value: js_sys::Uint8Array =
            value.dyn_into().map_err(|_| Error::new(code, format!("{what} is not bytes")))?;
        if bytes.len() + value.length() as usize > limit {
            observe(&reader.cancel());
            return Err(too_big());
        }
        bytes.extend_from_slice(&value.to_vec());
    }
}

/// Lets go of a body nobody will read (a v2 402 answer's), so its connection is freed.
pub fn discard(response: &Response) {
    if let Some(body) = response.body().filter(|b| !b.locked()) {
        observe(&body.cancel());
    }
}
