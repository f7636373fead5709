//! An app's retry of a paid request reuses that request's payment instead of signing a new
//! one, while the payment may still execute (or did).
//!
//! A request is the same request when it carries the same `Idempotency-Key` header (the
//! payment is reused as long as it lives), or, without one, when its method, URL and body
//! are the same and the earlier attempt did not end in a served answer, within
//! [`DEFAULT_WINDOW_MS`]. A served request is a purchase made: the same request again later
//! is a new purchase.

use super::cancel::Cancel;
use crate::json::Value;
use crate::ledger::{Ledger, Stage};
use crate::proto::{Offer, PaymentHeader};
use crate::vara::hashing::blake2_256;
use js_sys::{ArrayBuffer, Uint8Array};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use web_sys::Request;

/// How long an unserved request's payment is reused for a retry without an idempotency key.
pub const DEFAULT_WINDOW_MS: f64 = 120_000.0;
/// Bodies larger than this are not hashed: such a request has no default key.
const MAX_HASHED_BODY: u32 = 1 << 20;

/// Which request this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    value: Option<String>,
    explicit: bool,
}

impl Key {
    /// The caller's own idempotency key, when it gave one.
    pub fn explicit(&self) -> Option<&str> {
        if self.explicit {
            self.value.as_deref()
        } else {
            None
        }
    }
}

/// An earlier attempt's payment.
#[derive(Clone)]
pub struct Prior {
    pub key: Key,
    pub ledger: Rc<Ledger>,
    pub entry_id: String,
    pub header: PaymentHeader,
    pub offer: Offer,
    pub summary: Value,
    pub valid_until: Option<u64>,
    pub at_ms: f64,
    /// Whether the attempt that made it has ended (in an error): only then is a request
    /// without an idempotency key a retry. Concurrent identical requests are separate
    /// purchases; concurrent requests with one idempotency key share the payment.
    pub ended: bool,
}

thread_local! {
    static PRIORS: RefCell<HashMap<String, Prior>> = RefCell::new(HashMap::new());
}

/// The request's key: its `Idempotency-Key` header, else its method, URL and body.
pub async fn key_of(template: &Request, cancel: &Cancel) -> Key {
    if let Ok(Some(k)) = template.headers().get("idempotency-key") {
        return Key { value: Some(format!("key:{k}")), explicit: true };
    }
    let method = template.method();
    let mut seed = format!("{method} {}", template.url()).into_bytes();
    if !matches!(method.as_str(), "GET" | "HEAD") {
        let body = match template.clone().map(|c| c.array_buffer()) {
            Ok(Ok(p)) => cancel.wait(&p, None, crate::error::ErrorCode::RequestNotReplayable).await.ok(),
            _ => None,
        };
        let Some(body) = body.map(|b| ArrayBuffer::from(b)) else { return Key { value: None, explicit: false } };
        if body.byte_length() > MAX_HASHED_BODY {
            return Key { value: None, explicit: false };
        }
        seed.extend_from_slice(&blake2_256(&Uint8Array::new(&body).to_vec()));
    }
    Key { value: Some(crate::hexutil::encode(&blake2_256(&seed))), explicit: false }
}

/// Notes the payment an attempt at `key` is sending.
pub fn remember(
    key: &Key,
    ledger: &Rc<Ledger>,
    entry_id: &str,
    header: &PaymentHeader,
    offer: &Offer,
    summary: Value,
    valid_until: Option<u64>,
) {
    let Some(k) = &key.value else { return };
    let prior = Prior {
        key: key.clone(),
        ledger: ledger.clone(),
        entry_id: entry_id.into(),
        header: header.clone(),
        offer: offer.clone(),
        summary,
        valid_until,
        at_ms: js_sys::Date::now(),
        ended: false,
    };
    PRIORS.with(|p| p.borrow_mut().insert(k.clone(), prior));
}

/// The earlier payment to reuse for `key`, if it may still execute or did.
pub fn prior(key: &Key, ledger: &Rc<Ledger>) -> Option<Prior> {
    let k = key.value.as_ref()?;
    let now = js_sys::Date::now();
    PRIORS.with(|p| {
        let mut p = p.borrow_mut();
        // Forget what no retry may reuse any more.
        p.retain(|_, prior| {
            let alive =
                prior.ledger.get(&prior.entry_id).is_some_and(|e| !matches!(e.stage, Stage::Dead | Stage::Released));
            alive && (prior.key.explicit || now - prior.at_ms < DEFAULT_WINDOW_MS)
        });
        p.get(k).filter(|prior| Rc::ptr_eq(&prior.ledger, ledger) && (prior.ended || prior.key.explicit)).cloned()
    })
}

/// The attempt at `key` ended without being served: an app's retry may reuse its payment.
pub fn failed(key: &Key) {
    if let Some(k) = &key.value {
        PRIORS.with(|p| {
            if let Some(prior) = p.borrow_mut().get_mut(k) {
                prior.ended = true;
            }
        });
    }
}

/// The request was served: without an idempotency key, the same request later is a new
/// purchase.
pub fn served(key: &Key) {
    if key.explicit {
        return;
    }
    forget(key);
}

pub fn forget(key: &Key) {
    if let Some(k) = &key.value {
        PRIORS.with(|p| p.borrow_mut().remove(k));
    }
}
