//! x402 version 2 on the wire: requirements in the `PAYMENT-REQUIRED` header, the payment in
//! `PAYMENT-SIGNATURE`, the settlement in `PAYMENT-RESPONSE`, each base64 (standard alphabet)
//! of UTF-8 JSON; networks are CAIP-2 ids (`polkadot:<genesis prefix>`).
//!
//! Trust boundary: the `PAYMENT-REQUIRED` and `PAYMENT-RESPONSE` headers come from the server;
//! both are size-limited and parsed strictly before any of their values is used.

use crate::error::{err, Error, ErrorCode, Result};
use crate::json::{Map, Value};
use crate::requirements::{Fields, Requirement};
use crate::scheme::ExactVaraPayload;
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::{Deserialize, Serialize};

pub const X402_VERSION: u8 = 2;
pub const PAYMENT_REQUIRED_HEADER: &str = "PAYMENT-REQUIRED";
pub const PAYMENT_HEADER: &str = "PAYMENT-SIGNATURE";
pub const PAYMENT_RESPONSE_HEADER: &str = "PAYMENT-RESPONSE";
/// A header larger than this is refused before decoding.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// The extension whose `info.id` the client fills in (an idempotency key).
pub const PAYMENT_IDENTIFIER: &str = "payment-identifier";

/// What a 402 answer asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequired {
    pub x402_version: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `{url, description?, mimeType?}`, echoed in the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Value>,
    /// Entries stay raw: each is validated alone and echoed exactly as `accepted`.
    pub accepts: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Map>,
}

fn decode_base64_json(value: &str, what: &str, code: ErrorCode) -> Result<Value> {
    let value = value.trim();
    if value.len() > MAX_HEADER_BYTES {
        return err(code, format!("{what} header of {} bytes exceeds {MAX_HEADER_BYTES}", value.len()));
    }
    let bytes = STANDARD.decode(value).map_err(|e| Error::new(code, format!("{what} is not base64: {e}")))?;
    crate::json::from_bytes(&bytes).map_err(|e| Error::new(code, format!("{what} is not JSON: {e}")))
}

/// Parses the `PAYMENT-REQUIRED` header.
pub fn parse_payment_required_header(value: &str) -> Result<PaymentRequired> {
    payment_required_from(decode_base64_json(value, PAYMENT_REQUIRED_HEADER, ErrorCode::Malformed402)?)
}

/// The same checks on requirements that are already JSON (from JS).
pub fn payment_required_from(value: Value) -> Result<PaymentRequired> {
    if value.get("x402Version").and_then(Value::as_u64) != Some(X402_VERSION as u64) {
        return err(ErrorCode::Malformed402, "PAYMENT-REQUIRED must have x402Version 2");
    }
    let parsed: PaymentRequired = crate::json::from_value(&value)
        .map_err(|e| Error::new(ErrorCode::Malformed402, format!("invalid PAYMENT-REQUIRED: {e}")))?;
    if let Some(r) = &parsed.resource {
        if !r.is_object() || !r.get("url").is_some_and(Value::is_string) {
            return err(ErrorCode::Malformed402, "PAYMENT-REQUIRED.resource must be an object with a `url` string");
        }
    }
    if parsed.accepts.is_empty() {
        return err(ErrorCode::NoAcceptableRequirements, "PAYMENT-REQUIRED lists no payment requirements");
    }
    Ok(parsed)
}

/// One `accepts` entry as x402 v2 defines it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    scheme: String,
    network: String,
    amount: String,
    asset: String,
    pay_to: String,
    /// Required by the spec (its presence is checked); the era bounds our payment's life.
    #[allow(dead_code)]
    max_timeout_seconds: u64,
    #[serde(default)]
    extra: Option<Value>,
}

/// Validates one v2 entry; `resource` is the answer's, for previews.
pub fn requirement(entry: &Value, resource: Option<&Value>) -> Result<Requirement> {
    let e: Entry = crate::json::from_value(entry)
        .map_err(|e| Error::new(ErrorCode::Malformed402, format!("invalid payment requirements: {e}")))?;
    if e.asset.is_empty() {
        return err(ErrorCode::Malformed402, "asset must not be empty (\"vara\" for VARA, or a program id)");
    }
    let text = |key: &str| resource.and_then(|r| r.get(key)).and_then(Value::as_str).unwrap_or_default().to_string();
    Requirement::validate(
        Fields {
            scheme: &e.scheme,
            network: &e.network,
            amount: &e.amount,
            amount_field: "amount",
            asset: Some(&e.asset),
            pay_to: &e.pay_to,
            resource: text("url"),
            description: text("description"),
            extra: e.extra,
        },
        entry.clone(),
    )
}

/// The `PAYMENT-SIGNATURE` header's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPayload {
    pub x402_version: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Value>,
    /// The chosen `accepts` entry, exactly as the server sent it.
    pub accepted: Value,
    pub payload: ExactVaraPayload,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Map>,
}

impl PaymentPayload {
    /// Echoes the server's extensions (a client may add, never remove) and fills in
    /// `payment-identifier` with `payment_id` when the server offers it.
    pub fn new(
        requirement: &Requirement,
        resource: Option<&Value>,
        extensions: Option<&Map>,
        payment_id: &str,
        exact: ExactVaraPayload,
    ) -> Self {
        let extensions = extensions.map(|offered| {
            let mut echoed = offered.clone();
            if let Some(Value::Object(ext)) = echoed.get_mut(PAYMENT_IDENTIFIER) {
                let info = ext.get_or_insert_with("info", || Value::Object(Map::new()));
                if let Value::Object(info) = info {
                    info.insert("id".into(), Value::String(payment_id.to_string()));
                }
            }
            echoed
        });
        PaymentPayload {
            x402_version: X402_VERSION,
            resource: resource.cloned(),
            accepted: requirement.wire.clone(),
            payload: exact,
            extensions,
        }
    }

    pub fn to_header(&self) -> String {
        STANDARD.encode(crate::json::to_text(self))
    }

    pub fn from_header(header: &str) -> Result<Self> {
        let value = decode_base64_json(header, PAYMENT_HEADER, ErrorCode::MalformedHeader)?;
        if value.get("x402Version").and_then(Value::as_u64) != Some(X402_VERSION as u64) {
            return err(ErrorCode::MalformedHeader, "PAYMENT-SIGNATURE must have x402Version 2");
        }
        crate::json::from_value(&value).map_err(|e| {
            Error::new(ErrorCode::MalformedHeader, format!("PAYMENT-SIGNATURE is not a payment payload: {e}"))
        })
    }
}

/// The `PAYMENT-RESPONSE` header's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettleResponse {
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<String>,
    #[serde(default)]
    pub transaction: String,
    #[serde(default)]
    pub network: String,
}

pub fn parse_payment_response(value: &str) -> Result<SettleResponse> {
    let json = decode_base64_json(value, PAYMENT_RESPONSE_HEADER, ErrorCode::MalformedHeader)?;
    crate::json::from_value(&json)
        .map_err(|e| Error::new(ErrorCode::MalformedHeader, format!("PAYMENT-RESPONSE is not a settlement: {e}")))
}

/// A fresh `payment-identifier` id: `pay_` and 32 random hex digits (within 16..=128 chars).
pub fn new_payment_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .map_err(|_| Error::new(ErrorCode::InvalidOptions, "no source of randomness for a payment id"))?;
    Ok(format!("pay_{}", hex::encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    const BOB: &str = "kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq";

    fn entry() -> Value {
        json!({"scheme": "exact", "network": "polkadot:525639f713f397dcf839bd022cd821f3", "amount": "30000000000",
            "asset": "vara", "payTo": BOB, "maxTimeoutSeconds": 60, "extra": {"name": "VARA", "decimals": 12}})
    }

    fn required() -> Value {
        json!({"x402Version": 2, "resource": {"url": "http://x/paid", "description": "a joke"}, "accepts": [entry()],
            "extensions": {"payment-identifier": {"info": {}, "schema": {"type": "object"}}, "bazaar": {"info": {"x": 1}}}})
    }

    #[test]
    fn header_round_trip_and_entries() {
        let header = STANDARD.encode(required().to_string());
        let parsed = parse_payment_required_header(&header).unwrap();
        let r = requirement(&parsed.accepts[0], parsed.resource.as_ref()).unwrap();
        assert_eq!((r.network, r.native_amount()), (crate::vara::network::Network::VaraTestnet, 30_000_000_000));
        assert_eq!(r.resource, "http://x/paid");
        assert_eq!(r.network_wire, "polkadot:525639f713f397dcf839bd022cd821f3");
    }

    #[test]
    fn hostile_headers_are_typed() {
        let cases: Vec<(String, ErrorCode)> = vec![
            ("%%%".into(), ErrorCode::Malformed402),
            (STANDARD.encode("not json"), ErrorCode::Malformed402),
            (STANDARD.encode(json!({"x402Version": 1, "accepts": [entry()]}).to_string()), ErrorCode::Malformed402),
            (STANDARD.encode(json!({"x402Version": 2, "accepts": {}}).to_string()), ErrorCode::Malformed402),
            (
                STANDARD.encode(json!({"x402Version": 2, "accepts": []}).to_string()),
                ErrorCode::NoAcceptableRequirements,
            ),
            (
                STANDARD.encode(json!({"x402Version": 2, "resource": "x", "accepts": [entry()]}).to_string()),
                ErrorCode::Malformed402,
            ),
            ("A".repeat(MAX_HEADER_BYTES + 4), ErrorCode::Malformed402),
        ];
        for (header, code) in cases {
            assert_eq!(
                parse_payment_required_header(&header).unwrap_err().code,
                code,
                "{}",
                &header[..header.len().min(60)]
            );
        }
        let mut bad = entry();
        bad["amount"] = json!(5);
        assert_eq!(requirement(&bad, None).unwrap_err().code, ErrorCode::Malformed402);
        let mut empty_asset = entry();
        empty_asset["asset"] = json!("");
        assert_eq!(requirement(&empty_asset, None).unwrap_err().code, ErrorCode::Malformed402);
    }

    #[test]
    fn the_payment_echoes_accepted_resource_and_extensions_with_an_id() {
        let req = required();
        let parsed = payment_required_from(req.clone()).unwrap();
        let r = requirement(&parsed.accepts[0], parsed.resource.as_ref()).unwrap();
        let exact = ExactVaraPayload {
            transaction: crate::json::from_value(&json!({"specVersion": "0x", "transactionVersion": "0x", "address": BOB,
                "blockHash": "0x", "blockNumber": "0x", "era": "0x00", "genesisHash": "0x", "method": "0x", "nonce": "0x",
                "signedExtensions": [], "tip": "0x", "version": 4})).unwrap(),
            signature: "0x01".into(),
        };
        let id = new_payment_id().unwrap();
        assert!(
            id.len() >= 16 && id.len() <= 128 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        );
        let p = PaymentPayload::new(&r, parsed.resource.as_ref(), parsed.extensions.as_ref(), &id, exact);
        assert_eq!(p.accepted, entry(), "the entry exactly as sent");
        let ext = p.extensions.as_ref().unwrap();
        assert_eq!(ext["payment-identifier"]["info"]["id"], json!(id));
        assert_eq!(ext["payment-identifier"]["schema"], json!({"type": "object"}));
        assert_eq!(ext["bazaar"], json!({"info": {"x": 1}}), "others echoed untouched");
        let back = PaymentPayload::from_header(&p.to_header()).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn settlement_responses() {
        let ok = STANDARD
            .encode(json!({"success": true, "transaction": "0xab", "network": "polkadot:x", "payer": "p"}).to_string());
        assert_eq!(parse_payment_response(&ok).unwrap().transaction, "0xab");
        let failed = STANDARD.encode(
            json!({"success": false, "errorReason": "insufficient_funds", "transaction": "", "network": "n"})
                .to_string(),
        );
        assert_eq!(parse_payment_response(&failed).unwrap().error_reason.as_deref(), Some("insufficient_funds"));
        assert_eq!(parse_payment_response("%%").unwrap_err().code, ErrorCode::MalformedHeader);
    }
}
