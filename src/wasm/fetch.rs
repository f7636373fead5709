//! The fetch wrapper: request → 402 → choose → sign → repeat with `X-PAYMENT` → response.
//! It pays at most once per request: a second 402 is an error, never a second payment.

use super::api::{chain, js_function, to_value, JsConsent};
use super::errors::{from_js, to_js};
use super::options::JsOptions;
use super::signer::JsSigner;
use super::transport::FetchTransport;
use crate::error::{err, Error, ErrorCode, Result};
use crate::payment::{build_payment, BuildOptions};
use crate::policy::Policy;
use crate::proto::v1::{self, MAX_402_BODY_BYTES};
use crate::requirements::Requirement;
use js_sys::{Function, Promise, Reflect, WeakMap};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{Request, Response};

pub const PAYMENT_HEADER: &str = "X-PAYMENT";
pub const PAYMENT_RESPONSE_HEADER: &str = "X-PAYMENT-RESPONSE";

thread_local! {
    /// Paid responses → their receipt, without touching the `Response` objects.
    static RECEIPTS: WeakMap = WeakMap::new();
}

/// Everything a wrapped fetch needs, parsed once when it is created.
struct Wrapper {
    fetch: Function,
    signer: JsSigner,
    options: JsOptions,
    policy: Policy,
    build: BuildOptions,
    rpc_fetch: Option<Function>,
    on_before_payment: Option<Function>,
    select_requirements: Option<Function>,
}

fn global_fetch() -> Result<Function> {
    js_function(&js_sys::global(), "fetch")
        .ok_or_else(|| Error::new(ErrorCode::InvalidOptions, "no global fetch: pass one"))
}

/// Wraps `fetch` so that 402 answers are paid within the caller's limits.
/// `fetch` may be `undefined` (then `globalThis.fetch` is used).
#[wasm_bindgen(js_name = wrapFetchWithPayment, unchecked_return_type = "typeof globalThis.fetch")]
pub fn wrap_fetch_with_payment(
    #[wasm_bindgen(js_name = fetchFn, unchecked_param_type = "typeof globalThis.fetch | undefined")] fetch: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PaymentSigner")] signer: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
) -> Result<Function, JsValue> {
    let build = || -> Result<Wrapper> {
        let fetch = match fetch.dyn_into::<Function>() {
            Ok(f) => f,
            Err(v) if v.is_undefined() || v.is_null() => global_fetch()?,
            Err(_) => return err(ErrorCode::InvalidOptions, "the first argument must be a fetch function"),
        };
        // Invalid options fail here, at wrap time, not at the first payment.
        let opts = JsOptions::from_js(&options)?;
        Ok(Wrapper {
            fetch,
            signer: JsSigner::from_js(&signer)?,
            policy: opts.policy()?,
            build: opts.build_options()?,
            options: opts,
            rpc_fetch: js_function(&options, "rpcFetch"),
            on_before_payment: js_function(&options, "onBeforePayment"),
            select_requirements: js_function(&options, "selectRequirements"),
        })
    };
    let wrapper = Rc::new(build().map_err(to_js)?);
    let closure = Closure::<dyn Fn(JsValue, JsValue) -> Promise>::new(move |input: JsValue, init: JsValue| {
        let wrapper = wrapper.clone();
        future_to_promise(async move { wrapper.run(input, init).await.map_err(to_js) })
    });
    Ok(closure.into_js_value().unchecked_into())
}

/// One paid request with the global fetch: `x402Fetch(url, init, signer, options)`.
#[wasm_bindgen(js_name = x402Fetch, unchecked_return_type = "Response")]
pub async fn x402_fetch(
    #[wasm_bindgen(unchecked_param_type = "RequestInfo | URL")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RequestInit | undefined")] init: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PaymentSigner")] signer: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let wrapped = wrap_fetch_with_payment(JsValue::UNDEFINED, signer, options)?;
    JsFuture::from(Promise::from(wrapped.call2(&JsValue::UNDEFINED, &input, &init)?)).await
}

/// The receipt of a response this package paid for: `{ summary, settlement, header }`,
/// or `undefined` for a response that was not paid.
#[wasm_bindgen(js_name = getPaymentReceipt, unchecked_return_type = "PaymentReceipt | undefined")]
pub fn get_payment_receipt(#[wasm_bindgen(unchecked_param_type = "Response")] response: JsValue) -> JsValue {
    if !response.is_object() {
        return JsValue::UNDEFINED;
    }
    RECEIPTS.with(|r| r.get(&response.unchecked_into()))
}

impl Wrapper {
    async fn send(&self, request: &Request) -> Result<Response> {
        let failed = |e: JsValue| from_js(e, ErrorCode::NetworkError);
        let answer = self.fetch.call1(&JsValue::UNDEFINED, request).map_err(failed)?;
        let response = JsFuture::from(Promise::resolve(&answer)).await.map_err(failed)?;
        response
            .dyn_into::<Response>()
            .map_err(|_| Error::new(ErrorCode::InvalidOptions, "fetch did not resolve to a Response"))
    }

    async fn run(&self, input: JsValue, init: JsValue) -> Result<JsValue> {
        let request = new_request(&input, &init)?;
        // Kept for the repeat: cloning before the first send tees the body, so strings,
        // JSON, FormData, ArrayBuffers and streams can all be sent twice.
        let retry = request.clone().map_err(|_| {
            Error::new(ErrorCode::RequestNotReplayable, "the request body cannot be sent twice (already used?)")
        })?;
        let first = self.send(&request).await?;
        if first.status() != 402 {
            return Ok(first.into());
        }
        let body = read_limited(&first).await?;
        let required = v1::parse_payment_required(&body)?;
        let requirement = self.choose(&required).await?;

        let endpoint = self.options.endpoint(requirement.network)?;
        let transport = FetchTransport { fetch: self.rpc_fetch.clone() };
        let consent = JsConsent(self.on_before_payment.clone());
        let built =
            build_payment(&chain(), &transport, &endpoint, &requirement, &self.signer, &consent, &self.build).await?;

        retry.headers().set(PAYMENT_HEADER, &built.header).map_err(|e| from_js(e, ErrorCode::InvalidOptions))?;
        let paid = self.send(&retry).await?;
        if paid.status() == 402 {
            let reason = read_limited(&paid).await.ok().and_then(|b| String::from_utf8(b).ok()).unwrap_or_default();
            return err(
                ErrorCode::PaymentRejectedByServer,
                format!("the server answered 402 again after payment: {}", truncate(&reason, 300)),
            );
        }
        let settlement = paid
            .headers()
            .get(PAYMENT_RESPONSE_HEADER)
            .ok()
            .flatten()
            .map(|h| v1::parse_settlement_header(&h))
            .transpose()
            .unwrap_or(None);
        let receipt =
            serde_json::json!({ "summary": built.summary.to_json(), "settlement": settlement, "header": built.header });
        let receipt = to_value(&receipt)?;
        RECEIPTS.with(|r| r.set(paid.unchecked_ref(), &receipt));
        Ok(paid.into())
    }

    /// The policy's choice, or the caller's `selectRequirements(accepts, policyChoice)` hook.
    async fn choose(&self, required: &v1::PaymentRequired) -> Result<Requirement> {
        let policy = &self.policy;
        let Some(hook) = &self.select_requirements else {
            return policy.select(&required.accepts).map(|(_, r)| r);
        };
        let default = policy.select(&required.accepts).ok().map(|(_, r)| r.wire);
        let answer = hook
            .call2(&JsValue::UNDEFINED, &to_value(&required.accepts)?, &to_value(&default)?)
            .map_err(|e| from_js(e, ErrorCode::NoAcceptableRequirements))?;
        let answer = JsFuture::from(Promise::resolve(&answer))
            .await
            .map_err(|e| from_js(e, ErrorCode::NoAcceptableRequirements))?;
        if answer.is_undefined() || answer.is_null() {
            return err(ErrorCode::NoAcceptableRequirements, "selectRequirements chose nothing");
        }
        let wire: v1::PaymentRequirements =
            super::json::from_js(&answer, ErrorCode::Malformed402, "requirements from selectRequirements")?;
        // The hook chooses; the limits still apply to what it chose.
        policy.select(&[wire]).map(|(_, r)| r)
    }
}

fn new_request(input: &JsValue, init: &JsValue) -> Result<Request> {
    let invalid = |e: JsValue| from_js(e, ErrorCode::InvalidOptions);
    let init =
        if init.is_undefined() || init.is_null() { web_sys::RequestInit::new() } else { init.clone().unchecked_into() };
    match input.as_string() {
        Some(url) => Request::new_with_str_and_init(&url, &init).map_err(invalid),
        None if input.is_instance_of::<Request>() => {
            Request::new_with_request_and_init(input.unchecked_ref(), &init).map_err(invalid)
        }
        // URL objects and anything with a useful toString().
        None => {
            Request::new_with_str_and_init(&String::from(js_sys::JsString::from(input.clone())), &init).map_err(invalid)
        }
    }
}

/// Reads a 402 body chunk by chunk, giving up as soon as it passes the limit: a hostile
/// server could stream gigabytes, with or without a Content-Length.
async fn read_limited(response: &Response) -> Result<Vec<u8>> {
    let too_big = || Error::new(ErrorCode::Malformed402, format!("402 body exceeds {MAX_402_BODY_BYTES} bytes"));
    let broken = |e: JsValue| from_js(e, ErrorCode::Malformed402);
    if let Ok(Some(length)) = response.headers().get("content-length") {
        if length.parse::<usize>().is_ok_and(|n| n > MAX_402_BODY_BYTES) {
            return Err(too_big());
        }
    }
    let Some(body) = response.body() else { return Ok(Vec::new()) };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(broken)?;
        if Reflect::get(&chunk, &"done".into()).map_or(true, |d| d.is_truthy()) {
            return Ok(bytes);
        }
        let value = js_sys::Uint8Array::new(&Reflect::get(&chunk, &"value".into()).map_err(broken)?);
        if bytes.len() + value.length() as usize > MAX_402_BODY_BYTES {
            let _ = reader.cancel();
            return Err(too_big());
        }
        bytes.extend_from_slice(&value.to_vec());
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
