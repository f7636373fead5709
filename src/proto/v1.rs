//! x402 version 1 on the wire: the 402 body, the `X-PAYMENT` header, the settlement receipt.
//!
//! Field names and the header's key order follow the npm release of `x402-vara` (0.3.3):
//! `{x402Version, scheme, payload: {transaction, signature}, network}` (+ `asset` for tokens).

use super::SettlementReceipt;
use crate::error::{err, Error, ErrorCode, Result};
use crate::json::Value;
use crate::requirements::{Fields, Requirement};
use crate::scheme::{ExactVaraPayload, SCHEME_EXACT};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::{Deserialize, Serialize};

pub const X402_VERSION: u8 = 1;
/// The header a v1 client pays with.
pub const PAYMENT_HEADER: &str = "X-PAYMENT";
/// The header a v1 server answers with (a tx hash, or base64 JSON `{settlement}`).
pub const PAYMENT_RESPONSE_HEADER: &str = "X-PAYMENT-RESPONSE";
/// A 402 body larger than this is refused before parsing (a hostile server could send gigabytes).
pub const MAX_402_BODY_BYTES: usize = 64 * 1024;

/// The JSON body of a `402 Payment Required` answer. Entries stay raw until each is
/// validated on its own, so one bad entry does not hide a good one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequired {
    pub x402_version: u8,
    pub accepts: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One entry of `accepts[]` as x402 v1 defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequirements {
    pub scheme: String,
    pub network: String,
    pub max_amount_required: String,
    pub resource: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub mime_type: String,
    #[serde(default)]
    pub output_schema: Option<Value>,
    pub pay_to: String,
    pub max_timeout_seconds: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(default)]
    pub extra: Option<Value>,
}

/// Parses a 402 body. Structure errors are `MALFORMED_402`; the meaning of each entry
/// (network, amount, addresses) is checked by [`requirement`].
pub fn parse_payment_required(body: &[u8]) -> Result<PaymentRequired> {
    if body.len() > MAX_402_BODY_BYTES {
        return err(ErrorCode::Malformed402, format!("402 body of {} bytes exceeds {MAX_402_BODY_BYTES}", body.len()));
    }
    let value: Value = crate::json::from_bytes(body)
        .map_err(|e| Error::new(ErrorCode::Malformed402, format!("402 body is not JSON: {e}")))?;
    payment_required_from(value)
}

/// The same checks on a body that is already JSON (from JS, or a v1 body read by a v2 client).
pub fn payment_required_from(value: Value) -> Result<PaymentRequired> {
    let version =
        value.get("x402Version").ok_or_else(|| Error::new(ErrorCode::Malformed402, "missing field `x402Version`"))?;
    if version.as_u64() != Some(X402_VERSION as u64) {
        return err(
            ErrorCode::Malformed402,
            format!("unsupported x402Version {version} in a 402 body (version 2 sends a PAYMENT-REQUIRED header)"),
        );
    }
    let parsed: PaymentRequired = crate::json::from_value(&value)
        .map_err(|e| Error::new(ErrorCode::Malformed402, format!("invalid 402 body: {e}")))?;
    if parsed.accepts.is_empty() {
        return err(
            ErrorCode::NoAcceptableRequirements,
            "the 402 body lists no payment requirements (`accepts` is empty)",
        );
    }
    Ok(parsed)
}

/// Validates one v1 entry.
pub fn requirement(entry: &Value) -> Result<Requirement> {
    let r: PaymentRequirements = crate::json::from_value(entry)
        .map_err(|e| Error::new(ErrorCode::Malformed402, format!("invalid payment requirements: {e}")))?;
    Requirement::validate(
        Fields {
            scheme: &r.scheme,
            network: &r.network,
            amount: &r.max_amount_required,
            amount_field: "maxAmountRequired",
            asset: r.asset.as_deref(),
            pay_to: &r.pay_to,
            resource: r.resource.clone(),
            description: r.description.clone(),
            extra: r.extra.clone(),
        },
        entry.clone(),
    )
}

/// The decoded `X-PAYMENT` header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPayload {
    pub x402_version: u8,
    pub scheme: String,
    pub payload: ExactVaraPayload,
    pub network: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
}

impl PaymentPayload {
    /// The header paying `requirement`, with the server's spellings of network and asset.
    pub fn new(requirement: &Requirement, exact: ExactVaraPayload) -> Self {
        PaymentPayload {
            x402_version: X402_VERSION,
            scheme: SCHEME_EXACT.to_string(),
            payload: exact,
            network: requirement.network_wire.clone(),
            asset: match requirement.asset {
                crate::requirements::Asset::Native => None,
                crate::requirements::Asset::Vft(_) => requirement.asset_wire.clone(),
            },
        }
    }

    /// Standard base64 of the UTF-8 JSON, as the reference's `btoa(JSON.stringify(..))`.
    pub fn to_header(&self) -> String {
        STANDARD.encode(crate::json::to_text(self))
    }

    pub fn from_header(header: &str) -> Result<Self> {
        let bytes = STANDARD
            .decode(header.trim())
            .map_err(|e| Error::new(ErrorCode::MalformedHeader, format!("X-PAYMENT is not base64: {e}")))?;
        let payload: PaymentPayload = crate::json::from_bytes(&bytes)
            .map_err(|e| Error::new(ErrorCode::MalformedHeader, format!("X-PAYMENT is not a payment payload: {e}")))?;
        if payload.x402_version != X402_VERSION {
            return err(ErrorCode::MalformedHeader, format!("unsupported x402Version {}", payload.x402_version));
        }
        Ok(payload)
    }
}

#[derive(Deserialize)]
struct SettlementEnvelope {
    settlement: SettlementReceipt,
}

/// Decodes `X-Payment-Response`: base64 JSON `{settlement: {...}}` (Next.js middleware)
/// or a bare `0x…` transaction hash (Express middleware).
pub fn parse_settlement_header(value: &str) -> Result<SettlementReceipt> {
    let value = value.trim();
    if value.starts_with("0x") {
        let hash = crate::hexutil::decode_fixed::<32>(value)?;
        return Ok(SettlementReceipt {
            success: true,
            tx_hash: Some(crate::hexutil::encode(&hash)),
            network_id: None,
            error: None,
            payer: None,
        });
    }
    let bytes = STANDARD
        .decode(value)
        .map_err(|_| Error::new(ErrorCode::MalformedHeader, "payment response is neither a tx hash nor base64 JSON"))?;
    let envelope: SettlementEnvelope = crate::json::from_bytes(&bytes)
        .map_err(|e| Error::new(ErrorCode::MalformedHeader, format!("payment response is not a settlement: {e}")))?;
    Ok(envelope.settlement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requirements_json() -> String {
        r#"{"x402Version":1,"accepts":[{"scheme":"exact","description":"a joke","resource":"http://127.0.0.1/paid",
            "network":"vara-testnet","maxAmountRequired":"1000000000000",
            "payTo":"kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW","mimeType":"application/json",
            "maxTimeoutSeconds":60,"outputSchema":null,"extra":null}]}"#
            .to_string()
    }

    #[test]
    fn parses_the_reference_express_402_body() {
        let body = parse_payment_required(requirements_json().as_bytes()).unwrap();
        assert_eq!(body.accepts.len(), 1);
        let r = requirement(&body.accepts[0]).unwrap();
        assert_eq!(r.native_amount(), 1_000_000_000_000);
        assert_eq!(r.asset, crate::requirements::Asset::Native);
    }

    #[test]
    fn malformed_bodies_are_typed() {
        let cases: &[(&str, ErrorCode)] = &[
            ("not json", ErrorCode::Malformed402),
            ("[]", ErrorCode::Malformed402),
            (r#"{"accepts":[]}"#, ErrorCode::Malformed402),
            (r#"{"x402Version":2,"accepts":[]}"#, ErrorCode::Malformed402),
            (r#"{"x402Version":"1","accepts":[]}"#, ErrorCode::Malformed402),
            (r#"{"x402Version":1}"#, ErrorCode::Malformed402),
            (r#"{"x402Version":1,"accepts":{}}"#, ErrorCode::Malformed402),
            (r#"{"x402Version":1,"accepts":[]}"#, ErrorCode::NoAcceptableRequirements),
        ];
        for (body, code) in cases {
            assert_eq!(parse_payment_required(body.as_bytes()).unwrap_err().code, *code, "{body}");
        }
        let e = requirement(&crate::json::json!({"scheme":"exact"})).unwrap_err();
        assert_eq!(e.code, ErrorCode::Malformed402);
        let missing_pay_to =
            requirements_json().replace(r#""payTo":"kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW","#, "");
        let body = parse_payment_required(missing_pay_to.as_bytes()).unwrap();
        let e = requirement(&body.accepts[0]).unwrap_err();
        assert_eq!(e.code, ErrorCode::Malformed402);
        assert!(e.message.contains("payTo"), "{}", e.message);
        let huge = vec![b' '; MAX_402_BODY_BYTES + 1];
        assert_eq!(parse_payment_required(&huge).unwrap_err().code, ErrorCode::Malformed402);
    }

    #[test]
    fn settlement_header_in_both_reference_forms() {
        let hash = format!("0x{}", "ab".repeat(32));
        assert_eq!(parse_settlement_header(&hash).unwrap().tx_hash.as_deref(), Some(hash.as_str()));
        let next = STANDARD.encode(format!(
            r#"{{"settlement":{{"success":true,"error":null,"txHash":"{hash}","networkId":"vara-testnet"}}}}"#
        ));
        let r = parse_settlement_header(&next).unwrap();
        assert!(r.success);
        assert_eq!(r.network_id.as_deref(), Some("vara-testnet"));
        assert_eq!(parse_settlement_header("%%%").unwrap_err().code, ErrorCode::MalformedHeader);
        assert_eq!(parse_settlement_header("0x12").unwrap_err().code, ErrorCode::MalformedHeader);
    }
}
