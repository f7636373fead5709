//! x402 wire types, one module per protocol version, and the one place that asks which
//! version a server speaks: an [`Offer`] is what a 402 answer offers, in its own version;
//! everything after it (policy, payment) is version-neutral.

pub mod v1;
pub mod v2;

use crate::error::{Error, ErrorCode, Result};
use crate::json::Value;
use crate::requirements::Requirement;
use crate::scheme::ExactVaraPayload;
use serde::{Deserialize, Serialize};

/// What a 402 answer offers.
#[derive(Debug, Clone, PartialEq)]
pub enum Offer {
    V1(v1::PaymentRequired),
    V2(v2::PaymentRequired),
}

/// A payment ready to go: the header to send it in, and its content.
#[derive(Debug, Clone)]
pub struct PaymentHeader {
    pub name: &'static str,
    pub value: String,
    content: Content,
}

#[derive(Debug, Clone)]
enum Content {
    V1(v1::PaymentPayload),
    V2(v2::PaymentPayload),
}

impl PaymentHeader {
    /// The header's content as JSON (keys sorted), made when asked: the fetch wrapper sends
    /// the header and never needs it.
    pub fn payload(&self) -> Value {
        match &self.content {
            Content::V1(p) => crate::json::to_value(p),
            Content::V2(p) => crate::json::to_value(p),
        }
    }
}

/// What the server says about settlement, the same for every version: v1's either form
/// (a bare tx hash, or base64 JSON `{settlement}`), v2's `PAYMENT-RESPONSE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettlementReceipt {
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<String>,
}

impl Offer {
    /// From a 402 answer: the `PAYMENT-REQUIRED` header when there is one (v2; the body is
    /// then free), else the JSON body (v1).
    pub fn from_answer(payment_required: Option<&str>, body: &[u8]) -> Result<Self> {
        match payment_required {
            Some(header) => v2::parse_payment_required_header(header).map(Offer::V2),
            None => v1::parse_payment_required(body).map(Offer::V1).map_err(|e| {
                if body.is_empty() || body.starts_with(b"{}") {
                    Error::new(
                        ErrorCode::Malformed402,
                        format!("{} (no PAYMENT-REQUIRED header was visible either: a browser sees it only when the server lists it in Access-Control-Expose-Headers)", e.message),
                    )
                } else {
                    e
                }
            }),
        }
    }

    /// Requirements handed over as JSON (from JS): a whole answer of either version, or one
    /// entry (`maxAmountRequired` → v1, `amount` → v2).
    pub fn from_json(value: Value) -> Result<Self> {
        match value.get("x402Version").and_then(Value::as_u64) {
            Some(2) => v2::payment_required_from(value).map(Offer::V2),
            Some(_) => v1::payment_required_from(value).map(Offer::V1),
            None if value.get("amount").is_some() && value.get("maxAmountRequired").is_none() => {
                Ok(Offer::V2(v2::PaymentRequired {
                    x402_version: v2::X402_VERSION,
                    error: None,
                    resource: None,
                    accepts: vec![value],
                    extensions: None,
                }))
            }
            None => {
                Ok(Offer::V1(v1::PaymentRequired { x402_version: v1::X402_VERSION, accepts: vec![value], error: None }))
            }
        }
    }

    pub fn version(&self) -> u8 {
        match self {
            Offer::V1(_) => v1::X402_VERSION,
            Offer::V2(_) => v2::X402_VERSION,
        }
    }

    pub fn entries(&self) -> &[Value] {
        match self {
            Offer::V1(r) => &r.accepts,
            Offer::V2(r) => &r.accepts,
        }
    }

    pub fn requirement(&self, entry: &Value) -> Result<Requirement> {
        match self {
            Offer::V1(_) => v1::requirement(entry),
            Offer::V2(r) => v2::requirement(entry, r.resource.as_ref()),
        }
    }

    /// Every entry, validated (for the caller's policy to choose from).
    pub fn candidates(&self) -> Vec<Result<Requirement>> {
        self.entries().iter().map(|e| self.requirement(e)).collect()
    }

    /// The header carrying `exact` for `requirement`; `payment_id` fills v2's
    /// `payment-identifier` when the server offers it.
    pub fn payment(&self, requirement: &Requirement, exact: ExactVaraPayload, payment_id: &str) -> PaymentHeader {
        match self {
            Offer::V1(_) => {
                let p = v1::PaymentPayload::new(requirement, exact);
                PaymentHeader { name: v1::PAYMENT_HEADER, value: p.to_header(), content: Content::V1(p) }
            }
            Offer::V2(r) => {
                let p =
                    v2::PaymentPayload::new(requirement, r.resource.as_ref(), r.extensions.as_ref(), payment_id, exact);
                PaymentHeader { name: v2::PAYMENT_HEADER, value: p.to_header(), content: Content::V2(p) }
            }
        }
    }

    /// The settlement receipt among the paid answer's headers, when there is one that parses.
    pub fn settlement(&self, header: impl Fn(&str) -> Option<String>) -> Option<SettlementReceipt> {
        match self {
            Offer::V1(_) => v1::parse_settlement_header(&header(v1::PAYMENT_RESPONSE_HEADER)?).ok(),
            Offer::V2(_) => {
                let s = v2::parse_payment_response(&header(v2::PAYMENT_RESPONSE_HEADER)?).ok()?;
                Some(SettlementReceipt {
                    success: s.success,
                    tx_hash: Some(s.transaction).filter(|t| !t.is_empty()),
                    network_id: Some(s.network).filter(|n| !n.is_empty()),
                    error: s.error_reason,
                    payer: s.payer,
                })
            }
        }
    }
}

/// The `x402Version` a payment header declares (for routing it to its version's decoder).
pub fn header_version(header: &str) -> Option<u64> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let trimmed = header.trim();
    if trimmed.len() > v2::MAX_HEADER_BYTES {
        return None;
    }
    let json: Value = crate::json::from_bytes(&STANDARD.decode(trimmed).ok()?).ok()?;
    json.get("x402Version")?.as_u64()
}
