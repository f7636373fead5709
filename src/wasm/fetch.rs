//! The fetch wrapper: request → 402 → choose → sign → wait for the payer's turn → repeat with
//! the payment header → response. It pays at most once per request: a second 402 is an error,
//! never a second payment. The request's `AbortSignal` ends any phase. The server's version
//! decides the wire: a `PAYMENT-REQUIRED` header is x402 v2, a JSON body v1.
//!
//! After paying, one rule for every version: a 2xx answer is returned; a settlement the server
//! reports as failed, or any other non-2xx answer without a successful settlement receipt, is
//! `SETTLEMENT_FAILED`; a 402 without a receipt is `PAYMENT_REJECTED_BY_SERVER` (errors carry
//! `status`, `reason` and `receipt`); a non-2xx answer WITH a successful settlement (the server
//! took the money, then failed) is returned, its receipt attached.
//!
//! The seller's bodies this wrapper reads itself (the 402's, an error's after paying) are
//! bounded by `bodyTimeoutMs` and by the signal (`TIMEOUT`, `ABORTED`, the error then carries
//! `status` and `receipt` too); the paid answer's body is the app's to read, under its signal.

use super::api::Call;
use super::body::{discard, read_limited};
use super::cancel::{Cancel, Timer};
use super::errors::{from_js, to_js};
use super::json;
use super::options::JsOptions;
use super::signer::JsSigner;
use super::{paid_request, retries};
use crate::error::{err, Error, ErrorCode, Result};
use crate::payment::Abort;
use crate::payment::{Purchase, Signed};
use crate::proto::v1::MAX_402_BODY_BYTES;
use crate::proto::{v2, Offer, PaymentHeader};
use crate::requirements::Requirement;
use js_sys::{Function, Promise, Reflect, WeakMap};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{Request, Response};

thread_local! {
    /// Paid responses → their receipt, without touching the `Response` objects.
    static RECEIPTS: WeakMap = WeakMap::new();
}

/// Everything a wrapped fetch needs, parsed once when it is created.
pub(super) struct Wrapper {
    fetch: Function,
    signer: JsSigner,
    options: JsOptions,
}

fn global_fetch() -> Result<Function> {
    Reflect::get(&js_sys::global(), &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| Error::new(ErrorCode::InvalidOptions, "no global fetch: pass one as the first argument"))
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
        // Invalid options and signers fail here, at wrap time, not at the first payment.
        Ok(Wrapper { fetch, options: JsOptions::from_js(&options)?, signer: JsSigner::from_js(&signer)? })
    };
    let wrapper = Rc::new(build().map_err(to_js)?);
    let closure = Closure::<dyn Fn(JsValue, JsValue) -> Promise>::new(move |input: JsValue, init: JsValue| {
        let wrapper = wrapper.clone();
        future_to_promise(async move { wrapper.run(input, init).await })
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
    let receipt = RECEIPTS.with(|r| r.get(&response.unchecked_into()));
    super::books::refresh_chain(&receipt);
    receipt
}

/// Why a send did not produce a response: before the request left, or with its fate unknown.
pub(super) enum SendError {
    NotSent(Error),
    Unknown(Error),
}

impl Wrapper {
    /// The bound on reading a seller's body this client reads itself.
    pub(super) fn body_timeout_ms(&self) -> u32 {
        self.options.core.body_timeout_ms
    }

    pub(super) async fn send(&self, request: &Request, cancel: &Cancel) -> core::result::Result<Response, SendError> {
        cancel.check().map_err(SendError::NotSent)?;
        let unreachable = |e: JsValue| {
            let e = from_js(e, ErrorCode::NetworkError);
            let message = format!("{} could not be reached: {}", request.url(), e.message);
            e.reworded(message)
        };
        // The app's own signal goes with every send: a `Request` follows its signal only weakly
        // (undici), so once ours were collected the app's abort no longer reached the body of
        // the answer it was reading, and a trickling seller held that read for good.
        let answer = match cancel.signal() {
            Some(signal) => {
                let init = js_sys::Object::new();
                let _ = Reflect::set(&init, &"signal".into(), signal);
                self.fetch.call2(&JsValue::UNDEFINED, request, &init)
            }
            None => self.fetch.call1(&JsValue::UNDEFINED, request),
        }
        .map_err(|e| SendError::NotSent(unreachable(e)))?;
        let response = cancel.wait(&Promise::resolve(&answer), None, ErrorCode::NetworkError).await.map_err(|e| {
            SendError::Unknown(if e.code == ErrorCode::NetworkError {
                {
                    let message = format!("{}: {}", request.url(), e.message);
                    e.reworded(message)
                }
            } else {
                e
            })
        })?;
        response.dyn_into::<Response>().map_err(|_| {
            SendError::Unknown(Error::new(ErrorCode::InvalidOptions, "fetch did not resolve to a Response"))
        })
    }

    async fn run(&self, input: JsValue, init: JsValue) -> core::result::Result<JsValue, JsValue> {
        let request = new_request(&input, &init).map_err(to_js)?;
        let cancel = Cancel::new(app_signal(&input, &init));
        // Kept for the repeat: cloning before the first send tees the body, so strings,
        // JSON, FormData, ArrayBuffers and streams can all be sent twice.
        let template = request.clone().map_err(|_| {
            to_js(Error::new(ErrorCode::RequestNotReplayable, "the request body cannot be sent twice (already used?)"))
        })?;
        let first =
            self.send(&request, &cancel).await.map_err(|(SendError::NotSent(e) | SendError::Unknown(e))| to_js(e))?;
        if first.status() != 402 {
            return Ok(first.into());
        }
        let offer = self.offer(&first, &cancel).await.map_err(to_js)?;
        let requirement = self.choose(&offer).await.map_err(to_js)?;
        let url = template.url();
        let origin = super::api::origin_of(&url);
        let key = retries::key_of(&template, &cancel).await;
        // An earlier attempt at this request whose payment may still execute, or did: sent
        // again as it is, never paid twice.
        if let Some(prior) = retries::prior(&key, &self.options.ledger) {
            match self.resend_prior(&template, &prior, &origin, &cancel).await {
                Ok(Some(response)) => return Ok(response),
                Ok(None) => {} // proven dead: a new payment below
                Err(e) => {
                    retries::failed(&key);
                    return Err(e.into_js());
                }
            }
        }
        let call = Call::new(&self.options, &self.signer, offer, requirement).map_err(to_js)?;
        let purchase =
            Purchase { method: &template.method(), url: &url, origin: &origin, idempotency_key: key.explicit() };
        let judged = call
            .pay_judged(
                &cancel,
                purchase,
                async |signed: &Signed, header: &PaymentHeader| {
                    let summary = signed.summary.to_json();
                    retries::remember(
                        &key,
                        &self.options.ledger,
                        &signed.entry_id,
                        header,
                        &call.offer,
                        summary,
                        signed.summary.valid_until,
                    );
                    paid_request::deliver_header(self, &template, header, &origin, &cancel, &call.offer).await
                },
                async |response: &Response| read_reason(response, &cancel, self.body_timeout_ms()).await,
            )
            .await;
        match judged {
            Ok((paid, receipt)) => {
                retries::served(&key);
                let receipt = json::to_js(&receipt).map_err(to_js)?;
                RECEIPTS.with(|r| r.set(paid.unchecked_ref(), &receipt));
                Ok(paid.into())
            }
            Err(failure) => {
                retries::failed(&key);
                Err(failure.into_js())
            }
        }
    }

    /// Sends an earlier attempt's payment again: `Some(response)` when the seller served or
    /// the chain says it executed (then `PAID_NOT_SERVED` unless served), `None` when the
    /// chain proved it dead.
    async fn resend_prior(
        &self,
        template: &Request,
        prior: &retries::Prior,
        origin: &str,
        cancel: &Cancel,
    ) -> core::result::Result<Option<JsValue>, super::api::Failure> {
        let attempt = paid_request::deliver_header(self, template, &prior.header, origin, cancel, &prior.offer).await;
        let answer = attempt.answer.clone().unwrap_or_default();
        let entry = self.options.ledger.get(&prior.entry_id);
        let served = answer.status.is_some_and(|s| (200..300).contains(&s));
        let receipt = super::api::receipt_value(
            entry.as_ref().map(|_| prior.summary.clone()).unwrap_or_default(),
            &attempt.settlement,
            prior.header.value.clone(),
            &self.options.ledger,
            &prior.entry_id,
        );
        if served {
            if let Ok(response) = attempt.result {
                retries::served(&prior.key);
                RECEIPTS.with(|r| r.set(response.unchecked_ref(), &json::to_js(&receipt).unwrap_or_default()));
                return Ok(Some(response.into()));
            }
        }
        let verdict = entry.and_then(|e| e.chain);
        match crate::report::decide(&answer, verdict.as_ref(), prior.valid_until, false) {
            crate::report::Report::Fail { code: ErrorCode::PaidNotServed, message } => Err(super::api::Failure {
                error: Error::new(ErrorCode::PaidNotServed, message),
                status: answer.status,
                reason: answer.reason.unwrap_or_default(),
                receipt: Some(receipt),
            }),
            _ if verdict.is_some_and(|v| v.status == "dead" || v.status == "failed") => {
                retries::forget(&prior.key);
                Ok(None)
            }
            crate::report::Report::Fail { code, message } => Err(super::api::Failure {
                error: Error::new(code, format!("{message} (an earlier attempt's payment, sent again)")),
                status: answer.status,
                reason: answer.reason.unwrap_or_default(),
                receipt: Some(receipt),
            }),
            _ => match attempt.result {
                Ok(response) => Ok(Some(response.into())),
                Err(e) => Err(e.into()),
            },
        }
    }

    /// What the 402 answer offers: its `PAYMENT-REQUIRED` header (v2), else its body (v1).
    async fn offer(&self, answer: &Response, cancel: &Cancel) -> Result<Offer> {
        if let Ok(Some(header)) = answer.headers().get(v2::PAYMENT_REQUIRED_HEADER) {
            discard(answer);
            return Offer::from_answer(Some(&header), &[]);
        }
        let timer = Timer::new(self.options.core.body_timeout_ms);
        let body =
            read_limited(answer, MAX_402_BODY_BYTES, "the 402 body", ErrorCode::Malformed402, cancel, Some(&timer))
                .await
                .map_err(with_option)?;
        Offer::from_answer(None, &body)
    }

    /// The policy's choice, or the caller's `selectRequirements(accepts, policyChoice)` hook.
    async fn choose(&self, offer: &Offer) -> Result<Requirement> {
        let policy = &self.options.core.policy;
        let Some(hook) = &self.options.select_requirements else {
            return policy.select(offer.candidates()).map(|(_, r)| r);
        };
        let default = policy.select(offer.candidates()).ok().map(|(_, r)| r.wire);
        let entries = json::to_js(offer.entries())?;
        let answer = hook
            .call2(&JsValue::UNDEFINED, &entries, &json::to_js(&default)?)
            .map_err(|e| from_js(e, ErrorCode::NoAcceptableRequirements))?;
        let answer = JsFuture::from(Promise::resolve(&answer))
            .await
            .map_err(|e| from_js(e, ErrorCode::NoAcceptableRequirements))?;
        if answer.is_undefined() || answer.is_null() {
            return err(ErrorCode::NoAcceptableRequirements, "selectRequirements chose nothing");
        }
        let wire: crate::json::Value =
            json::from_js(&answer, ErrorCode::Malformed402, "requirements from selectRequirements")?;
        // The hook chooses; the limits still apply to what it chose.
        policy.select(vec![offer.requirement(&wire)]).map(|(_, r)| r)
    }
}

/// The first 300 characters of an error answer's body, for messages, read within
/// `bodyTimeoutMs`. The signal or the bound ends it (`ABORTED`, `TIMEOUT`); an unreadable
/// body leaves the reason empty.
pub(super) async fn read_reason(response: &Response, cancel: &Cancel, timeout_ms: u32) -> Result<String> {
    let timer = Timer::new(timeout_ms);
    let body =
        read_limited(response, MAX_402_BODY_BYTES, "the answer", ErrorCode::SettlementFailed, cancel, Some(&timer))
            .await;
    let text = match body {
        Ok(bytes) => String::from_utf8(bytes).unwrap_or_default(),
        Err(e) if matches!(e.code, ErrorCode::Aborted | ErrorCode::Timeout) => return Err(with_option(e)),
        Err(_) => String::new(),
    };
    Ok(match text.char_indices().nth(300) {
        Some((i, _)) => text[..i].to_string(),
        None => text,
    })
}

/// A body timeout's message names the option that sets it.
fn with_option(e: Error) -> Error {
    if e.code != ErrorCode::Timeout {
        return e;
    }
    let message = format!("{} (options.bodyTimeoutMs)", e.message);
    e.reworded(message)
}

/// The app's signal: `init.signal` when given (`null`: none), else the input `Request`'s.
fn app_signal(input: &JsValue, init: &JsValue) -> Option<web_sys::AbortSignal> {
    if init.is_object() && Reflect::has(init, &"signal".into()).unwrap_or(false) {
        return Reflect::get(init, &"signal".into()).ok().and_then(|s| s.dyn_into().ok());
    }
    input.dyn_ref::<Request>().map(Request::signal)
}

/// A URL from a string, a `URL`, or anything whose `toString()` gives one; a `Request` as is.
fn new_request(input: &JsValue, init: &JsValue) -> Result<Request> {
    let invalid = |e: JsValue| from_js(e, ErrorCode::InvalidOptions);
    let init: web_sys::RequestInit = if init.is_undefined() || init.is_null() {
        web_sys::RequestInit::new()
    } else if init.is_object() {
        init.clone().unchecked_into()
    } else {
        return err(ErrorCode::InvalidOptions, "the second argument (init) must be an object or undefined");
    };
    if input.is_instance_of::<Request>() {
        return Request::new_with_request_and_init(input.unchecked_ref(), &init).map_err(invalid);
    }
    let url = match input.as_string() {
        Some(url) => url,
        None if input.is_object() => Reflect::get(input, &"toString".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|f| f.call0(input).ok())
            .and_then(|s| s.as_string())
            .ok_or_else(|| Error::new(ErrorCode::InvalidOptions, "the URL must be a string, a URL or a Request"))?,
        None => return err(ErrorCode::InvalidOptions, "the URL must be a string, a URL or a Request"),
    };
    Request::new_with_str_and_init(&url, &init).map_err(invalid)
}
