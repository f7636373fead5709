//! JSON-RPC over the platform's `fetch` (or the caller's `rpcFetch`), each request bounded by
//! `timeoutMs` and by the caller's `AbortSignal`, its answer by a size limit.
//!
//! Trust boundary: `rpcFetch` is the caller's code and the answer is the node's: neither is
//! assumed to be well-formed (a non-Promise, a throw, a non-Response are all typed errors).

use super::body::read_limited;
use super::cancel::{Cancel, Timer};
use super::errors::from_js;
use crate::error::{Error, ErrorCode, Result};
use crate::vara::rpc::Transport;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;

/// No JSON-RPC answer a payment needs is larger (the metadata is ~0.7 MB of hex).
pub const MAX_RPC_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

pub struct FetchTransport<'a> {
    /// The caller's `rpcFetch`, else `globalThis.fetch`.
    pub fetch: Option<Function>,
    pub timeout_ms: u32,
    pub cancel: &'a Cancel,
}

fn global_fetch() -> Result<Function> {
    Reflect::get(&js_sys::global(), &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| Error::new(ErrorCode::InvalidOptions, "no global fetch: pass options.rpcFetch"))
}

impl Transport for FetchTransport<'_> {
    async fn post_json(&self, url: &str, body: String) -> Result<String> {
        // Nothing is started after an abort (a request begun and then cancelled would leave
        // its rejection unobserved).
        crate::payment::Abort::check(self.cancel)?;
        let fetch = match &self.fetch {
            Some(f) => f.clone(),
            None => global_fetch()?,
        };
        // Our own controller stops the HTTP request on a timeout or the caller's abort. The
        // fetch promise and the body's reads it then rejects are raced or observed (Cancel::wait,
        // read_limited): none is left to become an unhandled rejection.
        let controller = web_sys::AbortController::new().map_err(|e| from_js(e, ErrorCode::RpcError))?;
        let init = js_sys::Object::new();
        let headers = js_sys::Object::new();
        let set = |o: &js_sys::Object, k: &str, v: &JsValue| Reflect::set(o, &k.into(), v).map(|_| ());
        let _ = set(&headers, "content-type", &"application/json".into());
        let _ = set(&init, "method", &"POST".into());
        let _ = set(&init, "headers", &headers);
        let _ = set(&init, "body", &body.into());
        let _ = set(&init, "signal", &controller.signal());
        let timer = Timer::new(self.timeout_ms);
        let fail = |e: Error| {
            controller.abort();
            match e.code {
                ErrorCode::Aborted => e,
                ErrorCode::Timeout => Error::new(
                    ErrorCode::Timeout,
                    format!("{url} did not answer within {} ms (options.timeoutMs)", timer.ms),
                ),
                _ => {
                    let message = format!("cannot reach {url}: {}", e.message);
                    Error { code: ErrorCode::RpcError, ..e.reworded(message) }
                }
            }
        };
        // A throw, a non-Promise and a rejection are all answers of a broken rpcFetch.
        let answer =
            fetch.call2(&JsValue::UNDEFINED, &url.into(), &init).map_err(|e| fail(from_js(e, ErrorCode::RpcError)))?;
        let response =
            self.cancel.wait(&Promise::resolve(&answer), Some(&timer), ErrorCode::RpcError).await.map_err(fail)?;
        let response: web_sys::Response = response
            .dyn_into()
            .map_err(|_| fail(Error::new(ErrorCode::RpcError, "rpcFetch did not resolve to a Response")))?;
        if !response.ok() {
            return Err(fail(Error::new(ErrorCode::RpcError, format!("HTTP {}", response.status()))));
        }
        let bytes = read_limited(
            &response,
            MAX_RPC_RESPONSE_BYTES,
            "the RPC answer",
            ErrorCode::RpcError,
            self.cancel,
            Some(&timer),
        )
        .await
        .map_err(fail)?;
        String::from_utf8(bytes)
            .map_err(|_| Error::new(ErrorCode::RpcError, format!("{url} answered with non-UTF-8 text")))
    }
}
