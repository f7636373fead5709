//! Exported functions: build, decode and inspect payment headers; send a payment in its turn;
//! choose requirements; read settlement receipts.

use super::args;
use super::cancel::Cancel;
use super::errors::{from_js, to_js};
use super::json;
use super::options::JsOptions;
use super::signer::JsSigner;
use super::transport::FetchTransport;
use crate::error::{Error, ErrorCode, Result};
use crate::inspect;
use crate::json::{Map, Value};
use crate::ledger::{Answer, Ledger, Verdict};
use crate::payment::{pay, verdict_within, Books, Consent, Delivery, Payer, Purchase, Signed};
use crate::policy::Policy;
use crate::proto::v1::{self, MAX_402_BODY_BYTES};
use crate::proto::SettlementReceipt;
use crate::proto::{self, v2, Offer, PaymentHeader};
use crate::report::{self, Report};
use crate::requirements::Requirement;
use crate::scheme::ExactVaraPayload;
use crate::vara::chain::ChainClient;
use crate::vara::network::{Endpoint, Network};
use js_sys::{Function, Promise, Reflect};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// Chain facts, endpoints and nonce lanes for the lifetime of this wasm instance (one JS
    /// realm): every wrapper, shim and header builder shares them.
    static CHAIN: Rc<ChainClient> = Rc::new(ChainClient::new());
}

pub(super) fn chain() -> Rc<ChainClient> {
    CHAIN.with(Rc::clone)
}

pub(super) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    json::to_js(value)
}

/// Requirements from JS: a whole 402 answer of either version (v1 body, v2 PAYMENT-REQUIRED
/// content) or one entry of `accepts`; the policy's choice among them.
pub(super) fn select_requirement(requirements: &JsValue, policy: &Policy) -> Result<(Offer, usize, Requirement)> {
    let offer = match requirements.as_string() {
        // Base64 never holds `{`: a string without one is a `PAYMENT-REQUIRED` header's value
        // (what an Axios or other non-fetch client hands over), checked like the fetch
        // wrapper checks it.
        Some(header) if !header.trim_start().starts_with('{') => Offer::from_answer(Some(&header), &[])?,
        Some(body) => offer_from_json(body)?,
        None => offer_from_json(
            json::stringify(requirements)
                .ok_or_else(|| Error::new(ErrorCode::Malformed402, "the requirements are not JSON data"))?,
        )?,
    };
    let (index, requirement) = policy.select(offer.candidates())?;
    Ok((offer, index, requirement))
}

/// A 402 body or requirements as JSON text, either version.
fn offer_from_json(text: String) -> Result<Offer> {
    if text.len() > MAX_402_BODY_BYTES {
        return Err(Error::new(ErrorCode::Malformed402, format!("the requirements exceed {MAX_402_BODY_BYTES} bytes")));
    }
    let value: Value = crate::json::from_text(&text)
        .map_err(|e| Error::new(ErrorCode::Malformed402, format!("invalid requirements: {e}")))?;
    Offer::from_json(value)
}

/// Calls the caller's `onBeforePayment(preview)`; `false` or a throw refuses.
pub(super) struct JsConsent(pub Option<Function>);

impl Consent for JsConsent {
    async fn approve(&self, preview: &Value) -> Result<()> {
        let Some(hook) = &self.0 else { return Ok(()) };
        let refused = |e: JsValue| from_js(e, ErrorCode::SignerRejected);
        let answer = hook.call1(&JsValue::UNDEFINED, &to_value(preview)?).map_err(refused)?;
        let answer = JsFuture::from(Promise::resolve(&answer)).await.map_err(refused)?;
        if answer == JsValue::FALSE {
            return Err(Error::new(ErrorCode::SignerRejected, "onBeforePayment refused the payment"));
        }
        Ok(())
    }
}

/// What one payment is made with.
pub(super) struct Call<'a> {
    pub opts: &'a JsOptions,
    pub signer: &'a JsSigner,
    pub offer: Offer,
    pub requirement: Requirement,
    pub endpoint: Endpoint,
    /// v2's `payment-identifier`: one per payment, the same however often it is signed.
    pub payment_id: String,
}

/// What a transport made of one handed payment.
pub(super) struct Attempt<R> {
    /// What the seller answered with; an error when the answer never came or the payment
    /// never left (then `delivery` says which).
    pub result: Result<R>,
    pub delivery: Delivery,
    /// The seller's word (`None` when the caller sends the payment itself).
    pub answer: Option<Answer>,
    pub settlement: Option<SettlementReceipt>,
    /// The answer refused the payment and its body (the reason) is still to be read: read
    /// after the payer's lane moved on, so a slow body never holds up the next payment.
    pub reason_unread: bool,
}

/// A payment that did not end in a served answer: the error, with what the app needs to
/// decide (the answer's status and reason, the payment's receipt).
pub(super) struct Failure {
    pub error: Error,
    pub status: Option<u16>,
    pub reason: String,
    pub receipt: Option<Value>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure { error, status: None, reason: String::new(), receipt: None }
    }
}

impl Failure {
    pub fn into_js(self) -> JsValue {
        let error = to_js(self.error);
        if let Some(receipt) = &self.receipt {
            if let Some(status) = self.status {
                let _ = Reflect::set(&error, &"status".into(), &status.into());
            }
            let _ = Reflect::set(&error, &"reason".into(), &self.reason.as_str().into());
            let _ = Reflect::set(&error, &"receipt".into(), &to_value(receipt).unwrap_or(JsValue::UNDEFINED));
        }
        error
    }
}

impl<'a> Call<'a> {
    pub fn new(opts: &'a JsOptions, signer: &'a JsSigner, offer: Offer, requirement: Requirement) -> Result<Self> {
        let endpoint = opts.core.endpoint(requirement.network)?;
        Ok(Call { opts, signer, offer, requirement, endpoint, payment_id: v2::new_payment_id()? })
    }

    /// The header carrying a signed payment, in the offer's version.
    pub fn header(&self, signed: &Signed) -> PaymentHeader {
        self.offer.payment(&self.requirement, signed.exact.clone(), &self.payment_id)
    }

    fn transport<'c>(&self, cancel: &'c Cancel) -> FetchTransport<'c> {
        FetchTransport { fetch: self.opts.rpc_fetch.clone(), timeout_ms: self.opts.core.timeout_ms, cancel }
    }

    /// The core's view of this payment: who pays, through which node, under which books.
    fn payer<'b>(
        &'b self,
        chain: &'b ChainClient,
        transport: &'b FetchTransport<'b>,
        cancel: &'b Cancel,
        purchase: Purchase<'b>,
    ) -> Payer<'b, FetchTransport<'b>, JsSigner, Cancel> {
        Payer {
            chain,
            transport,
            endpoint: &self.endpoint,
            signer: self.signer,
            options: &self.opts.core.build,
            abort: cancel,
            now_ms: js_sys::Date::now(),
            books: self.books(purchase),
        }
    }

    fn books<'b>(&'b self, purchase: Purchase<'b>) -> Books<'b> {
        Books {
            ledger: Some(&self.opts.ledger),
            budget: self.opts.budget.as_deref(),
            purchase,
            turn_timeout_ms: self.opts.core.turn_timeout_ms,
            coordinator: self.opts.coordinator.as_ref(),
            fleet_budget: self.opts.fleet_budget.as_deref(),
            // A v2 seller's 2xx means the facilitator settled; a v1 seller may submit later.
            stale_after_ms: match self.offer {
                Offer::V2(_) => crate::vara::nonces::STALE_AFTER_MS,
                Offer::V1(_) => crate::vara::nonces::STALE_AFTER_MS_V1,
            },
        }
    }

    /// Runs [`pay`] with this call's pieces and the platform's transport and clock.
    pub async fn pay<R>(
        &self,
        cancel: &Cancel,
        purchase: Purchase<'_>,
        send: impl AsyncFnOnce(&Signed) -> (Result<R>, Delivery, Option<Answer>),
    ) -> Result<R> {
        let transport = self.transport(cancel);
        let chain = chain();
        super::books::resume(&self.opts.ledger, &self.endpoint, self.opts.rpc_fetch.clone(), self.opts.core.timeout_ms);
        let payer = self.payer(&chain, &transport, cancel, purchase);
        let result = pay(&payer, &self.requirement, &JsConsent(self.opts.on_before_payment.clone()), send).await;
        super::books::drive(&self.endpoint, self.opts.rpc_fetch.clone(), self.opts.core.timeout_ms);
        result
    }

    /// The chain's verdict on a payment, waiting up to `confirmWaitMs` for one.
    async fn verdict(&self, cancel: &Cancel, entry_id: &str) -> Option<Verdict> {
        let transport = self.transport(cancel);
        let chain = chain();
        let payer =
            self.payer(&chain, &transport, cancel, Purchase { method: "", url: "", origin: "", idempotency_key: None });
        verdict_within(&payer, entry_id, self.opts.core.confirm_wait_ms, 500).await
    }

    /// Whether a payment of ours made after this one took its nonce (executed, or may still).
    fn nonce_taken_by_later(&self, entry_id: &str) -> bool {
        let ledger = &self.opts.ledger;
        let Some(me) = ledger.get(entry_id) else { return false };
        let mut later = false;
        ledger.for_each(|e| {
            later |= e.id != me.id
                && e.payer == me.payer
                && e.nonce == me.nonce
                && e.created_ms > me.created_ms
                && e.stage != crate::ledger::Stage::Released
                && e.chain.as_ref().is_none_or(|v| v.status != "dead");
        });
        later
    }

    /// When the chain's nonce is behind this payment's and another of our payments holds the
    /// missing nonce without being in any block (a seller that took it and never submitted
    /// it, or has not answered), says which: that is why this one could not execute yet.
    fn held_up_by(&self, entry_id: &str) -> Option<String> {
        let ledger = &self.opts.ledger;
        let entry = ledger.get(entry_id)?;
        let payer = crate::vara::address::AccountId::parse(&entry.payer).ok()?;
        let chain_nonce = chain().watcher(&self.endpoint).nonce_of(&payer)?;
        if entry.nonce? <= chain_nonce {
            return None;
        }
        let blocker = ledger.entries().into_iter().find(|e| {
            e.payer == entry.payer && e.nonce == Some(chain_nonce) && !e.stage.is_final() && e.id != entry.id
        })?;
        Some(format!(
            "it waits behind payment {} (nonce {chain_nonce}) handed to {}, which no block includes yet",
            blocker.id, blocker.url
        ))
    }

    /// Pays, hands the payment to `send`, and judges the seller's answer by the chain (see
    /// [`crate::report`]): a served answer is returned with its receipt; a payment the
    /// chain proved dead because another of ours took its nonce is signed again and sent
    /// once more; anything else is a [`Failure`] whose receipt says what the chain knows.
    pub async fn pay_judged<R>(
        &self,
        cancel: &Cancel,
        purchase: Purchase<'_>,
        send: impl AsyncFn(&Signed, &PaymentHeader) -> Attempt<R>,
        read_reason: impl AsyncFn(&R) -> Result<String>,
    ) -> core::result::Result<(R, Value), Failure> {
        let mut round = 0;
        loop {
            let mut handed: Option<(PaymentHeader, Value, String, Option<u64>)> = None;
            let attempt = self
                .pay(cancel, purchase, async |signed: &Signed| {
                    let header = self.header(signed);
                    let a = send(signed, &header).await;
                    let delivery = a.delivery;
                    let answer = a.answer.clone();
                    handed =
                        Some((header, signed.summary.to_json(), signed.entry_id.clone(), signed.summary.valid_until));
                    (Ok(a), delivery, answer)
                })
                .await?;
            let (header, summary, entry_id, valid_until) = handed.expect("set by send");
            let mut attempt = attempt;
            if attempt.reason_unread {
                if let Ok(r) = &attempt.result {
                    match read_reason(r).await {
                        Ok(reason) => {
                            if let Some(a) = attempt.answer.as_mut() {
                                a.reason = Some(reason);
                            }
                        }
                        // The signal or the body bound ended the read: that is the app's answer.
                        Err(e) => attempt.result = Err(e),
                    }
                }
            }
            let answer = match (&attempt.answer, attempt.delivery) {
                (_, Delivery::NotSent) => {
                    return Err(attempt.result.err().map(Failure::from).unwrap_or_else(|| {
                        Failure::from(Error::new(ErrorCode::NetworkError, "the payment was not sent"))
                    }))
                }
                (Some(a), _) => a.clone(),
                (None, _) => Answer::default(),
            };
            let served = answer.status.is_some_and(|s| (200..300).contains(&s));
            let verdict = if served { None } else { self.verdict(cancel, &entry_id).await };
            // Sent again only when an earlier payment of ours took the nonce (a refused payment
            // its seller cashed, a front-runner's): not when the lane gave this refused
            // payment's nonce to a later one.
            let may_resend = round == 0 && !self.nonce_taken_by_later(&entry_id);
            let decision = report::decide(&answer, verdict.as_ref(), valid_until, may_resend);
            let receipt = receipt_value(summary, &attempt.settlement, header.value, &self.opts.ledger, &entry_id);
            match decision {
                Report::Serve => match attempt.result {
                    Ok(r) => return Ok((r, receipt)),
                    Err(error) => {
                        return Err(Failure {
                            error,
                            status: answer.status,
                            reason: answer.reason.unwrap_or_default(),
                            receipt: Some(receipt),
                        })
                    }
                },
                Report::Resend => round += 1,
                Report::Fail { code, message } => {
                    let error = match attempt.result {
                        // The app's own abort, or a redirect we refused, says more than the
                        // seller's silence, unless the chain executed the payment.
                        Err(e)
                            if code != ErrorCode::PaidNotServed
                                && matches!(
                                    e.code,
                                    ErrorCode::Aborted | ErrorCode::Timeout | ErrorCode::CrossOriginRedirect
                                ) =>
                        {
                            let until = valid_until
                                .map(|b| format!("; the payment may still execute until block {b}"))
                                .unwrap_or_default();
                            let message = format!("{}{until}", e.message);
                            e.reworded(message)
                        }
                        Err(e) => Error::new(code, message).with_cause(e.cause),
                        Ok(_) => Error::new(code, message),
                    };
                    let error = match self.held_up_by(&entry_id) {
                        Some(blocker) => {
                            let message = format!("{}; {blocker}", error.message);
                            error.reworded(message)
                        }
                        None => error,
                    };
                    return Err(Failure {
                        error,
                        status: answer.status,
                        reason: answer.reason.unwrap_or_default(),
                        receipt: Some(receipt),
                    });
                }
            }
        }
    }
}

/// A paid request's receipt: what was signed, the seller's settlement claim, the header, the
/// ledger entry that names it and the chain's verdict so far (`chain`, null while pending).
pub(super) fn receipt_value(
    summary: Value,
    settlement: &Option<SettlementReceipt>,
    header: String,
    ledger: &Rc<Ledger>,
    entry_id: &str,
) -> Value {
    let chain = ledger.get(entry_id).and_then(|e| e.chain).map(|v| crate::json::to_value(&v));
    Value::object([
        ("summary", summary),
        ("settlement", settlement.as_ref().map(crate::json::to_value).into()),
        ("header", header.into()),
        ("entryId", entry_id.into()),
        ("ledgerId", super::books::ledger_id_of(ledger).into()),
        ("chain", chain.into()),
    ])
}

/// What `createPaymentHeader` and `sendWithPayment` both resolve with for a signed payment:
/// `{ payload, header, headerName, summary }`.
fn signed_fields(header: PaymentHeader, summary: Value) -> Map {
    Map::from_pairs(vec![
        ("payload".into(), header.payload()),
        ("header".into(), header.value.into()),
        ("headerName".into(), header.name.into()),
        ("summary".into(), summary),
    ])
}

/// The origin (`scheme://host[:port]`) of a URL, for the ledger; the URL itself when it has none.
pub(super) fn origin_of(url: &str) -> String {
    web_sys::Url::new(url).map(|u| u.origin()).ok().filter(|o| o != "null").unwrap_or_else(|| url.to_string())
}

/// Builds and signs the payment header for a 402 answer or one requirement (x402 v1:
/// `X-PAYMENT`; v2: `PAYMENT-SIGNATURE`), handing out the payer's next nonce. Resolves to
/// `{ header, headerName, payload, summary, requirements, entryId }`. The ledger records it
/// as handed; the chain watcher confirms it.
#[wasm_bindgen(js_name = createPaymentHeader, unchecked_return_type = "CreatedPayment")]
pub async fn create_payment_header(
    #[wasm_bindgen(unchecked_param_type = "AnyRequirements")] requirements: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PaymentSigner")] signer: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
) -> Result<JsValue, JsValue> {
    async fn run(requirements: &JsValue, signer: &JsValue, options: &JsValue) -> Result<JsValue> {
        let opts = JsOptions::from_js(options)?;
        let signer = JsSigner::from_js(signer)?;
        let (offer, _, requirement) = select_requirement(requirements, &opts.core.policy)?;
        let call = Call::new(&opts, &signer, offer, requirement)?;
        let cancel = Cancel::new(opts.signal.clone());
        let origin = origin_of(&call.requirement.resource);
        let purchase = Purchase { method: "", url: &call.requirement.resource, origin: &origin, idempotency_key: None };
        let signed =
            call.pay(&cancel, purchase, async |signed: &Signed| (Ok(signed.clone()), Delivery::Taken, None)).await?;
        let mut out = signed_fields(call.header(&signed), signed.summary.to_json());
        out.insert("requirements".into(), call.requirement.wire.clone());
        out.insert("entryId".into(), signed.entry_id.as_str().into());
        to_value(&Value::Object(out))
    }
    run(&requirements, &signer, &options).await.map_err(to_js)
}

/// Builds the payment, waits for its turn among the payer's payments, calls
/// `send(header, headerName)` and judges what it resolves with
/// (`{ status, paymentResponse?, reason? }`: the HTTP status, the seller's settlement header
/// and error text) by the chain, as the fetch wrapper does: resolves to
/// `{ result, header, payload, summary, receipt }` when the seller served, throws the typed
/// error otherwise (with `status`, `reason`, `receipt` and `result`). A payment proven dead
/// because another of ours used its nonce is signed again and `send` is called once more.
#[wasm_bindgen(js_name = sendWithPayment, unchecked_return_type = "Promise<SentPayment>")]
pub async fn send_with_payment(
    #[wasm_bindgen(unchecked_param_type = "AnyRequirements")] requirements: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PaymentSigner")] signer: JsValue,
    #[wasm_bindgen(unchecked_param_type = "(header: string, headerName: string) => Promise<SendOutcome>")]
    send: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let send: Function = send.dyn_into().map_err(|_| {
        to_js(Error::new(ErrorCode::InvalidOptions, "send must be a function (header, headerName) => Promise"))
    })?;
    let opts = JsOptions::from_js(&options).map_err(to_js)?;
    let signer = JsSigner::from_js(&signer).map_err(to_js)?;
    let (offer, _, requirement) = select_requirement(&requirements, &opts.core.policy).map_err(to_js)?;
    let call = Call::new(&opts, &signer, offer, requirement).map_err(to_js)?;
    let cancel = Cancel::new(opts.signal.clone());
    let origin = origin_of(&call.requirement.resource);
    let purchase = Purchase { method: "", url: &call.requirement.resource, origin: &origin, idempotency_key: None };
    let last = core::cell::RefCell::new((JsValue::UNDEFINED, None::<PaymentHeader>, Value::Null));
    let judged = call
        .pay_judged(
            &cancel,
            purchase,
            async |signed: &Signed, header: &PaymentHeader| {
                let sent = match send.call2(&JsValue::UNDEFINED, &header.value.clone().into(), &header.name.into()) {
                    Ok(p) => JsFuture::from(Promise::resolve(&p)).await,
                    Err(e) => Err(e),
                };
                *last.borrow_mut() = (JsValue::UNDEFINED, Some(header.clone()), signed.summary.to_json());
                match sent {
                    Ok(result) => {
                        let field = |k: &str| Reflect::get(&result, &k.into()).ok();
                        let status = field("status").and_then(|s| s.as_f64()).filter(|s| (100.0..600.0).contains(s));
                        let settlement = field("paymentResponse")
                            .and_then(|v| v.as_string())
                            .and_then(|v| call.offer.settlement(|_| Some(v.clone())));
                        let reason = field("reason").and_then(|v| v.as_string()).map(|r| r.chars().take(300).collect());
                        let answer = Answer {
                            status: status.map(|s| s as u16),
                            claimed_success: settlement.as_ref().map(|s| s.success),
                            claimed_tx_hash: settlement.as_ref().and_then(|s| s.tx_hash.clone()),
                            reason: settlement.as_ref().and_then(|s| s.error.clone()).or(reason),
                        };
                        let delivery = delivery_of(&answer);
                        last.borrow_mut().0 = result.clone();
                        Attempt { result: Ok(result), delivery, answer: Some(answer), settlement, reason_unread: false }
                    }
                    // Its fate is unknown: the chain decides.
                    Err(e) => Attempt {
                        result: Err(from_js(e, ErrorCode::NetworkError)),
                        delivery: Delivery::Refused,
                        answer: Some(Answer::default()),
                        settlement: None,
                        reason_unread: false,
                    },
                }
            },
            async |_: &JsValue| Ok(String::new()),
        )
        .await;
    let (result, receipt) = judged.map_err(|f| {
        let error = f.into_js();
        let _ = Reflect::set(&error, &"result".into(), &last.borrow().0);
        error
    })?;
    let (_, header, summary) = last.into_inner();
    let header = header.ok_or_else(|| to_js(Error::new(ErrorCode::SelfCheckFailed, "no header was sent")))?;
    let out = to_value(&Value::Object(signed_fields(header, summary))).map_err(to_js)?;
    let _ = Reflect::set(&out, &"result".into(), &result);
    let _ = Reflect::set(&out, &"receipt".into(), &to_value(&receipt).map_err(to_js)?);
    Ok(out)
}

/// Whether a seller's answer took the payment, for the nonce lane: a 2xx, or a non-402
/// error whose receipt says it settled. Anything else leaves the nonce to the next payment
/// (the chain watcher says which of two payments with one nonce executed).
pub(super) fn delivery_of(answer: &Answer) -> Delivery {
    match answer.status {
        Some(s) if (200..300).contains(&s) => Delivery::Taken,
        Some(s) if s != 402 && answer.claimed_success == Some(true) => Delivery::Taken,
        _ => Delivery::Refused,
    }
}

/// A payment header of either version, decoded: the scheme payload and what it claims to pay.
struct DecodedHeader {
    exact: ExactVaraPayload,
    network: String,
    asset: Option<String>,
    whole: Value,
}

fn decode_header(header: &str) -> Result<DecodedHeader> {
    match proto::header_version(header) {
        Some(2) => {
            let p = v2::PaymentPayload::from_header(header)?;
            let field = |k: &str| p.accepted.get(k).and_then(Value::as_str).map(str::to_string);
            Ok(DecodedHeader {
                network: field("network").ok_or_else(|| {
                    Error::new(ErrorCode::MalformedHeader, "PAYMENT-SIGNATURE.accepted has no network")
                })?,
                asset: field("asset"),
                whole: crate::json::to_value(&p),
                exact: p.payload,
            })
        }
        _ => {
            let p = v1::PaymentPayload::from_header(header)?;
            Ok(DecodedHeader { whole: crate::json::to_value(&p), exact: p.payload, network: p.network, asset: p.asset })
        }
    }
}

/// Gives a payment's nonce back after its server refused it or never got it, for payments
/// built with `createPaymentHeader` and sent by the caller (the fetch wrapper, the Axios shim
/// and `sendWithPayment` do this themselves). Takes the header, or its decoded payload.
#[wasm_bindgen(js_name = releasePayment)]
pub fn release_payment(
    #[wasm_bindgen(unchecked_param_type = "string | PaymentPayload | PaymentPayloadV2")] payment: JsValue,
) -> Result<(), JsValue> {
    let run = || -> Result<()> {
        let exact: ExactVaraPayload = match payment.as_string() {
            Some(header) => decode_header(&header)?.exact,
            None => {
                let whole: Value = json::from_js(&payment, ErrorCode::MalformedHeader, "the payment")?;
                crate::json::from_value(&whole["payload"])
                    .map_err(|e| Error::new(ErrorCode::MalformedHeader, format!("not a Vara payment payload: {e}")))?
            }
        };
        let tx = crate::vara::extrinsic::UnsignedPayload::from_json(&exact.transaction)?;
        chain().release(tx.genesis_hash, tx.address, tx.nonce);
        Ok(())
    };
    run().map_err(to_js)
}

/// Decodes a payment header (`X-PAYMENT` or `PAYMENT-SIGNATURE`, base64 JSON) without any
/// chain access.
#[wasm_bindgen(js_name = decodePaymentHeader, unchecked_return_type = "PaymentPayload | PaymentPayloadV2")]
pub fn decode_payment_header(
    #[wasm_bindgen(unchecked_param_type = "string")] header: JsValue,
) -> Result<JsValue, JsValue> {
    args::string(&header, ErrorCode::MalformedHeader, "the payment header")
        .and_then(|h| decode_header(&h))
        .and_then(|d| to_value(&d.whole))
        .map_err(to_js)
}

/// Decodes the signed call of a header against the chain's current metadata, verifies the
/// signature, and (when `requirements` are given) checks it pays exactly what they ask.
#[wasm_bindgen(js_name = inspectPaymentHeader, unchecked_return_type = "PaymentSummary")]
pub async fn inspect_payment_header(
    #[wasm_bindgen(unchecked_param_type = "string")] header: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AnyRequirements | null")] requirements: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
) -> Result<JsValue, JsValue> {
    async fn run(header: &JsValue, requirements: &JsValue, options: &JsValue) -> Result<JsValue> {
        let opts = JsOptions::from_js(options)?;
        let decoded = decode_header(&args::string(header, ErrorCode::MalformedHeader, "the payment header")?)?;
        let network = Network::parse(&decoded.network)?;
        let endpoint = opts.core.endpoint(network)?;
        let cancel = Cancel::new(opts.signal.clone());
        let transport =
            FetchTransport { fetch: opts.rpc_fetch.clone(), timeout_ms: opts.core.timeout_ms, cancel: &cancel };
        let state = chain().chain_state(&transport, &endpoint).await?;
        let summary =
            inspect::inspect(&decoded.exact, network, decoded.asset.as_deref(), &state, opts.core.build.layout)?;
        if !requirements.is_undefined() && !requirements.is_null() {
            let wire: Value = json::from_js(requirements, ErrorCode::Malformed402, "payment requirements")?;
            let offer = Offer::from_json(wire)?;
            let entry = offer.entries().first().cloned().unwrap_or_default();
            inspect::matches_requirement(&summary, &offer.requirement(&entry)?)?;
        }
        to_value(&summary.to_json())
    }
    run(&header, &requirements, &options).await.map_err(to_js)
}

/// Chooses among `accepts[]` with the caller's limits: `{ index, requirements }`.
#[wasm_bindgen(js_name = selectPaymentRequirements, unchecked_return_type = "{ index: number; requirements: PaymentRequirements | PaymentRequirementsV2 }")]
pub fn select_payment_requirements(
    #[wasm_bindgen(unchecked_param_type = "PaymentRequired | PaymentRequiredV2 | string")] body: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue> {
        let opts = JsOptions::from_js(&options)?;
        let (_, index, r) = select_requirement(&body, &opts.core.policy)?;
        to_value(&Value::object([("index", index.into()), ("requirements", r.wire)]))
    };
    run().map_err(to_js)
}

/// Parses a settlement header: v1's `X-PAYMENT-RESPONSE` (a tx hash or base64 JSON
/// `{settlement}`) or v2's `PAYMENT-RESPONSE`, into one receipt shape.
#[wasm_bindgen(js_name = parsePaymentResponse, unchecked_return_type = "SettlementReceipt")]
pub fn parse_payment_response(
    #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
) -> Result<JsValue, JsValue> {
    let value = args::string(&value, ErrorCode::MalformedHeader, "the settlement header").map_err(to_js)?;
    let value = value.as_str();
    let receipt = v1::parse_settlement_header(value).or_else(|e| {
        let offer = Offer::V2(v2::PaymentRequired {
            x402_version: 2,
            error: None,
            resource: None,
            accepts: vec![],
            extensions: None,
        });
        offer.settlement(|_| Some(value.to_string())).ok_or(e)
    });
    receipt.and_then(|r| to_value(&r)).map_err(to_js)
}
