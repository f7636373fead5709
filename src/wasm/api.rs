//! Exported functions: build, decode and inspect payment headers; choose requirements;
//! read settlement receipts.

use super::errors::{from_js, to_js};
use super::options::JsOptions;
use super::signer::JsSigner;
use super::transport::FetchTransport;
use crate::error::{Error, ErrorCode, Result};
use crate::payment::{build_payment, Consent};
use crate::policy::Policy;
use crate::proto::v1::{self, PaymentPayload, PaymentRequirements};
use crate::requirements::Requirement;
use crate::vara::chain::ChainClient;
use crate::vara::check;
use crate::vara::network::Network;
use js_sys::Reflect;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// Chain facts cached per RPC URL for the lifetime of this wasm instance.
    static CHAIN: Rc<ChainClient> = Rc::new(ChainClient::new());
}

pub(super) fn chain() -> Rc<ChainClient> {
    CHAIN.with(Rc::clone)
}

pub(super) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    super::json::to_js(value)
}

/// `object[name]` when it is a function (optional hooks in options objects).
pub(super) fn js_function(object: &JsValue, name: &str) -> Option<js_sys::Function> {
    Reflect::get(object, &name.into()).ok().and_then(|f| f.dyn_into().ok())
}

/// Either a whole 402 body (`{x402Version, accepts}`) or one entry of `accepts`.
pub(super) fn select_requirement(requirements: &JsValue, policy: &Policy) -> Result<(usize, Requirement)> {
    let json: serde_json::Value = super::json::from_js(requirements, ErrorCode::Malformed402, "requirements")?;
    if json.get("accepts").is_some() {
        // Through the byte-level parser, so its size limit applies to bodies from JS too.
        let body = v1::parse_payment_required(json.to_string().as_bytes())?;
        return policy.select(&body.accepts);
    }
    let wire: PaymentRequirements = serde_json::from_value(json)
        .map_err(|e| Error::new(ErrorCode::Malformed402, format!("invalid payment requirements: {e}")))?;
    policy.select(&[wire])
}

/// Calls the caller's `onBeforePayment(preview)`; `false` or a throw refuses.
pub(super) struct JsConsent(pub Option<js_sys::Function>);

impl Consent for JsConsent {
    async fn approve(&self, preview: &serde_json::Value) -> Result<()> {
        let Some(hook) = &self.0 else { return Ok(()) };
        let refused = |e: JsValue| from_js(e, ErrorCode::SignerRejected);
        let answer = hook.call1(&JsValue::UNDEFINED, &to_value(preview)?).map_err(refused)?;
        let answer = JsFuture::from(js_sys::Promise::resolve(&answer)).await.map_err(refused)?;
        if answer == JsValue::FALSE {
            return Err(Error::new(ErrorCode::SignerRejected, "onBeforePayment refused the payment"));
        }
        Ok(())
    }
}

pub(super) async fn create_header(requirements: &JsValue, signer: &JsValue, options: &JsValue) -> Result<JsValue> {
    let opts = JsOptions::from_js(options)?;
    let (_, requirement) = select_requirement(requirements, &opts.policy()?)?;
    let signer = JsSigner::from_js(signer)?;
    let endpoint = opts.endpoint(requirement.network)?;
    let transport = FetchTransport { fetch: js_function(options, "rpcFetch") };
    let consent = JsConsent(js_function(options, "onBeforePayment"));
    let built =
        build_payment(&chain(), &transport, &endpoint, &requirement, &signer, &consent, &opts.build_options()?).await?;
    let out = serde_json::json!({
        "header": built.header,
        "payload": built.payload,
        "summary": built.summary.to_json(),
        "requirements": requirement.wire,
    });
    to_value(&out)
}

/// Builds and signs an `X-PAYMENT` header for a 402 body or one requirement.
/// Resolves to `{ header, payload, summary, requirements }`.
#[wasm_bindgen(js_name = createPaymentHeader, unchecked_return_type = "CreatedPayment")]
pub async fn create_payment_header(
    #[wasm_bindgen(unchecked_param_type = "PaymentRequired | PaymentRequirements")] requirements: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PaymentSigner")] signer: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
) -> Result<JsValue, JsValue> {
    create_header(&requirements, &signer, &options).await.map_err(to_js)
}

/// Decodes an `X-PAYMENT` header (base64 JSON) without any chain access.
#[wasm_bindgen(js_name = decodePaymentHeader, unchecked_return_type = "PaymentPayload")]
pub fn decode_payment_header(header: &str) -> Result<JsValue, JsValue> {
    PaymentPayload::from_header(header).and_then(|p| to_value(&p)).map_err(to_js)
}

/// Decodes the signed call of a header against the chain's metadata, verifies the
/// signature, and (when `requirements` are given) checks it pays exactly what they ask.
#[wasm_bindgen(js_name = inspectPaymentHeader, unchecked_return_type = "PaymentSummary")]
pub async fn inspect_payment_header(
    header: String,
    #[wasm_bindgen(unchecked_optional_param_type = "PaymentRequirements | null")] requirements: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
) -> Result<JsValue, JsValue> {
    async fn run(header: &str, requirements: &JsValue, options: &JsValue) -> Result<JsValue> {
        let opts = JsOptions::from_js(options)?;
        let payload = PaymentPayload::from_header(header)?;
        let endpoint = opts.endpoint(Network::parse(&payload.network)?)?;
        let transport = FetchTransport { fetch: js_function(options, "rpcFetch") };
        let state = chain().chain_state(&transport, &endpoint).await?;
        let summary = check::inspect(&payload, &state)?;
        if !requirements.is_undefined() && !requirements.is_null() {
            let wire: PaymentRequirements =
                super::json::from_js(requirements, ErrorCode::Malformed402, "payment requirements")?;
            check::matches_requirement(&summary, &Requirement::from_wire(&wire)?)?;
        }
        to_value(&summary.to_json())
    }
    run(&header, &requirements, &options).await.map_err(to_js)
}

/// Chooses among `accepts[]` with the caller's limits: `{ index, requirements }`.
#[wasm_bindgen(js_name = selectPaymentRequirements, unchecked_return_type = "{ index: number; requirements: PaymentRequirements }")]
pub fn select_payment_requirements(
    #[wasm_bindgen(unchecked_param_type = "PaymentRequired | string")] body: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue> {
        let opts = JsOptions::from_js(&options)?;
        let body = match body.as_string() {
            Some(text) => {
                js_sys::JSON::parse(&text).map_err(|_| Error::new(ErrorCode::Malformed402, "402 body is not JSON"))?
            }
            None => body.clone(),
        };
        let (index, r) = select_requirement(&body, &opts.policy()?)?;
        to_value(&serde_json::json!({ "index": index, "requirements": r.wire }))
    };
    run().map_err(to_js)
}

/// Parses a settlement header (`X-PAYMENT-RESPONSE`: a tx hash or base64 JSON).
#[wasm_bindgen(js_name = parsePaymentResponse, unchecked_return_type = "SettlementReceipt")]
pub fn parse_payment_response(value: &str) -> Result<JsValue, JsValue> {
    v1::parse_settlement_header(value).and_then(|r| to_value(&r)).map_err(to_js)
}
