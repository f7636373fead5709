//! JSON-RPC over the platform's `fetch` (browsers and Node 18+ both have it globally).

use super::errors::from_js;
use crate::error::{Error, ErrorCode, Result};
use crate::vara::rpc::Transport;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str, init: &JsValue) -> js_sys::Promise;
}

/// Uses the caller's `fetch` when given (tests, instrumented fetch), else `globalThis.fetch`.
pub struct FetchTransport {
    pub fetch: Option<js_sys::Function>,
}

impl Transport for FetchTransport {
    async fn post_json(&self, url: &str, body: String) -> Result<String> {
        let init = js_sys::Object::new();
        let headers = js_sys::Object::new();
        let set = |o: &js_sys::Object, k: &str, v: &JsValue| js_sys::Reflect::set(o, &k.into(), v).map(|_| ());
        let _ = set(&headers, "content-type", &"application/json".into());
        let _ = set(&init, "method", &"POST".into());
        let _ = set(&init, "headers", &headers);
        let _ = set(&init, "body", &body.into());
        let promise = match &self.fetch {
            Some(f) => f.call2(&JsValue::UNDEFINED, &url.into(), &init).map(js_sys::Promise::from),
            None => Ok(global_fetch(url, &init)),
        }
        .map_err(|e| from_js(e, ErrorCode::RpcError))?;
        let response: web_sys::Response =
            JsFuture::from(promise).await.map_err(|e| rpc_error(url, from_js(e, ErrorCode::RpcError)))?.into();
        if !response.ok() {
            return Err(Error::new(ErrorCode::RpcError, format!("{url} answered HTTP {}", response.status())));
        }
        let text = response.text().map_err(|e| from_js(e, ErrorCode::RpcError))?;
        let text = JsFuture::from(text).await.map_err(|e| from_js(e, ErrorCode::RpcError))?;
        text.as_string().ok_or_else(|| Error::new(ErrorCode::RpcError, "RPC body is not text"))
    }
}

fn rpc_error(url: &str, e: Error) -> Error {
    Error::new(ErrorCode::RpcError, format!("cannot reach {url}: {}", e.message))
}
