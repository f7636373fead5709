//! Handing a signed payment to its seller: the paid request, sent again with the same
//! payment (never a new one) when its answer is lost, and never to another origin.
//!
//! Redirects of the paid request are followed by hand (`redirect: 'manual'`): within the
//! seller's origin, up to [`MAX_SAME_ORIGIN_REDIRECTS`]; to another origin not at all
//! (`CROSS_ORIGIN_REDIRECT`, the payment header stays here). A browser hides a manual
//! redirect's target (an opaque redirect), so there every redirect of the paid request ends
//! in that error.

use super::api::{delivery_of, Attempt};
use super::cancel::Cancel;
use super::errors::from_js;
use super::fetch::{SendError, Wrapper};
use crate::error::{Error, ErrorCode};
use crate::ledger::Answer;
use crate::payment::{Abort, Delivery};
use crate::proto::{Offer, PaymentHeader};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, Response, ResponseType};

pub const MAX_SAME_ORIGIN_REDIRECTS: u32 = 5;
/// Waits before sending a payment again after its answer was lost (then it is up to the
/// chain and the app).
const LOST_ANSWER_BACKOFF_MS: [u32; 2] = [250, 1_000];

fn not_replayable(_: JsValue) -> Error {
    Error::new(ErrorCode::RequestNotReplayable, "the request body cannot be sent twice (already used?)")
}

/// A fresh copy of `template` for `url` (or its own URL), with the payment header and
/// `redirect: 'manual'`; `drop_body` turns it into a GET (a 303 redirect).
async fn paid_copy(
    template: &Request,
    url: Option<&str>,
    header: &PaymentHeader,
    drop_body: bool,
) -> Result<Request, Error> {
    let copy = template.clone().map_err(not_replayable)?;
    let init = web_sys::RequestInit::new();
    init.set_redirect(web_sys::RequestRedirect::Manual);
    init.set_signal(Some(&template.signal()));
    let headers =
        web_sys::Headers::new_with_headers(&template.headers()).map_err(|e| from_js(e, ErrorCode::InvalidOptions))?;
    headers.set(header.name, &header.value).map_err(|e| from_js(e, ErrorCode::InvalidOptions))?;
    init.set_headers(&headers);
    let method = if drop_body { "GET".to_string() } else { template.method() };
    init.set_method(&method);
    if !drop_body && !matches!(method.as_str(), "GET" | "HEAD") {
        // The body as bytes: a copy of a stream body needs no `duplex` this way.
        let bytes = JsFuture::from(copy.array_buffer().map_err(not_replayable)?).await.map_err(not_replayable)?;
        init.set_body(&Uint8Array::new(&bytes));
    }
    let target = url.map(str::to_string).unwrap_or_else(|| template.url());
    Request::new_with_str_and_init(&target, &init).map_err(|e| from_js(e, ErrorCode::InvalidOptions))
}

/// Sends the paid request with `header` (just signed, or signed earlier for an app's retry of
/// the same request) and reads the seller's answer.
pub(super) async fn deliver_header(
    w: &Wrapper,
    template: &Request,
    header: &PaymentHeader,
    origin: &str,
    cancel: &Cancel,
    offer: &Offer,
) -> Attempt<Response> {
    let mut left_once = false;
    let mut attempt = 0;
    loop {
        let sent = send_following(w, template, header, origin, cancel).await;
        match sent {
            Ok(response) => return answer_of(response, offer).await,
            Err(SendError::NotSent(e)) if !left_once => {
                return Attempt {
                    result: Err(e),
                    delivery: Delivery::NotSent,
                    answer: None,
                    settlement: None,
                    reason_unread: false,
                };
            }
            Err(SendError::NotSent(e)) | Err(SendError::Unknown(e)) => {
                left_once = true;
                let final_error = matches!(e.code, ErrorCode::Aborted | ErrorCode::CrossOriginRedirect)
                    || attempt >= LOST_ANSWER_BACKOFF_MS.len();
                if final_error || cancel.is_aborted() {
                    let answer = Answer { status: redirect_status(&e), ..Answer::default() };
                    return Attempt {
                        result: Err(e),
                        delivery: Delivery::Refused,
                        answer: Some(answer),
                        settlement: None,
                        reason_unread: false,
                    };
                }
                // The answer was lost (a reset, a proxy that dropped it): the same payment
                // again, never a new one.
                cancel.sleep(LOST_ANSWER_BACKOFF_MS[attempt]).await;
                attempt += 1;
            }
        }
    }
}

/// The status a cross-origin redirect error carries (for the ledger's answer).
fn redirect_status(e: &Error) -> Option<u16> {
    (e.code == ErrorCode::CrossOriginRedirect).then_some(307)
}

/// One send of the paid request, following redirects within `origin`.
async fn send_following(
    w: &Wrapper,
    template: &Request,
    header: &PaymentHeader,
    origin: &str,
    cancel: &Cancel,
) -> Result<Response, SendError> {
    let mut request = paid_copy(template, None, header, false).await.map_err(SendError::NotSent)?;
    for _ in 0..=MAX_SAME_ORIGIN_REDIRECTS {
        let response = w.send(&request, cancel).await?;
        let status = response.status();
        let opaque = response.type_() == ResponseType::Opaqueredirect;
        if !opaque && !(300..400).contains(&status) || status == 304 {
            return Ok(response);
        }
        let location = response.headers().get("location").ok().flatten();
        let target = location.and_then(|l| web_sys::Url::new_with_base(&l, &request.url()).ok()).map(|u| u.href());
        let same = target.as_deref().map(super::api::origin_of).is_some_and(|o| o == origin);
        let Some(target) = target.filter(|_| same && !opaque) else {
            let whither = if opaque {
                "a place the browser hides".to_string()
            } else {
                response.headers().get("location").ok().flatten().unwrap_or_else(|| "nowhere it names".into())
            };
            return Err(SendError::Unknown(Error::new(
                ErrorCode::CrossOriginRedirect,
                format!(
                    "the seller ({origin}) redirected the paid request (HTTP {status}) to {whither}: the payment was not sent there"
                ),
            )));
        };
        let drop_body = status == 303 || (matches!(status, 301 | 302) && request.method() == "POST");
        request = paid_copy(template, Some(&target), header, drop_body).await.map_err(SendError::Unknown)?;
    }
    Err(SendError::Unknown(Error::new(
        ErrorCode::NetworkError,
        format!("the seller redirected the paid request more than {MAX_SAME_ORIGIN_REDIRECTS} times"),
    )))
}

/// The seller's word: status, settlement receipt, and (for a refusal) the reason.
async fn answer_of(response: Response, offer: &Offer) -> Attempt<Response> {
    let status = response.status();
    let settlement = offer.settlement(|name| response.headers().get(name).ok().flatten());
    let served = (200..300).contains(&status);
    let claimed = settlement.as_ref().map(|s| s.success);
    // The body of an answer the app will get stays unread.
    let mut answer = Answer {
        status: Some(status),
        claimed_success: claimed,
        claimed_tx_hash: settlement.as_ref().and_then(|s| s.tx_hash.clone()),
        reason: None,
    };
    let delivery = delivery_of(&answer);
    let mut reason_unread = false;
    if !(served || (status != 402 && claimed == Some(true))) {
        match settlement.as_ref().and_then(|s| s.error.clone()).filter(|e| !e.is_empty()) {
            Some(r) => answer.reason = Some(r),
            // Read once the lane has moved on (see `Attempt::reason_unread`).
            None => reason_unread = true,
        }
    }
    Attempt { result: Ok(response), delivery, answer: Some(answer), settlement, reason_unread }
}
