//! polkadot-js's SignerPayloadJSON, the bytes that get signed, and the signed extrinsic.
//!
//! The JSON uses polkadot-js's formats: fixed-width numbers as big-endian zero-padded hex
//! (`nonce: "0x00000007"`, `tip` 16 bytes), `version` and `mode` as plain numbers. In the
//! signed bytes the same values are SCALE (little-endian, compact).

use crate::error::{err, Error, ErrorCode, Result};
use crate::hexutil;
use crate::vara::address::AccountId;
use crate::vara::era::Era;
use crate::vara::hashing::blake2_256;
use crate::vara::metadata::{Additional, Extra, RuntimeFacts};
use parity_scale_codec::{Compact, Encode};
use serde::{Deserialize, Serialize};

/// Extrinsic format version of signed transactions (v4).
pub const EXTRINSIC_VERSION: u8 = 4;
/// Payloads longer than this are signed by their blake2-256 hash.
pub const HASH_THRESHOLD: usize = 256;

/// Key order follows the reference client (`createUnsignedTransaction` in x402-vara).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerPayloadJson {
    pub spec_version: String,
    pub transaction_version: String,
    pub address: String,
    pub block_hash: String,
    pub block_number: String,
    pub era: String,
    pub genesis_hash: String,
    pub method: String,
    pub nonce: String,
    pub signed_extensions: Vec<String>,
    pub tip: String,
    pub version: u8,
    /// Present when the runtime has `CheckMetadataHash` (0 = no hash, 1 = hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_hash: Option<String>,
}

/// The same payload with typed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedPayload {
    pub address: AccountId,
    pub method: Vec<u8>,
    pub era: Era,
    pub block_hash: [u8; 32],
    pub block_number: u32,
    pub genesis_hash: [u8; 32],
    pub nonce: u32,
    pub tip: u128,
    pub spec_version: u32,
    pub transaction_version: u32,
    pub signed_extensions: Vec<String>,
    /// `CheckMetadataHash`: `None` = mode 0; `Some(hash)` = mode 1 with that hash.
    pub metadata_hash: Option<[u8; 32]>,
    /// Whether the runtime has `CheckMetadataHash` (then `mode` is written to the JSON).
    pub has_mode: bool,
}

impl UnsignedPayload {
    pub fn to_json(&self, ss58_prefix: u16) -> SignerPayloadJson {
        SignerPayloadJson {
            spec_version: hexutil::encode_be(self.spec_version as u128, 4),
            transaction_version: hexutil::encode_be(self.transaction_version as u128, 4),
            address: self.address.to_ss58(ss58_prefix),
            block_hash: hexutil::encode(&self.block_hash),
            block_number: hexutil::encode_be(self.block_number as u128, 4),
            era: hexutil::encode(&self.era.encode()),
            genesis_hash: hexutil::encode(&self.genesis_hash),
            method: hexutil::encode(&self.method),
            nonce: hexutil::encode_be(self.nonce as u128, 4),
            signed_extensions: self.signed_extensions.clone(),
            tip: hexutil::encode_be(self.tip, 16),
            version: EXTRINSIC_VERSION,
            mode: self.has_mode.then_some(self.metadata_hash.is_some() as u8),
            metadata_hash: self.metadata_hash.map(|h| hexutil::encode(&h)),
        }
    }

    pub fn from_json(json: &SignerPayloadJson) -> Result<Self> {
        let bad = |field: &str, e: Error| {
            Error::new(ErrorCode::MalformedHeader, format!("transaction.{field}: {}", e.message))
        };
        let u32_of = |field: &str, v: &str| -> Result<u32> {
            let n = hexutil::decode_be(v).map_err(|e| bad(field, e))?;
            u32::try_from(n)
                .map_err(|_| Error::new(ErrorCode::MalformedHeader, format!("transaction.{field} is beyond u32")))
        };
        if json.version != EXTRINSIC_VERSION {
            return err(ErrorCode::MalformedHeader, format!("transaction.version {} is not 4", json.version));
        }
        let era_bytes = hexutil::decode(&json.era).map_err(|e| bad("era", e))?;
        let era_input = &mut &era_bytes[..];
        let era = Era::decode(era_input)?;
        if !era_input.is_empty() {
            return err(ErrorCode::MalformedHeader, "transaction.era has trailing bytes");
        }
        let metadata_hash = match (json.mode, &json.metadata_hash) {
            (None | Some(0), _) => None,
            (Some(1), Some(h)) => Some(hexutil::decode_fixed::<32>(h).map_err(|e| bad("metadataHash", e))?),
            _ => return err(ErrorCode::MalformedHeader, "transaction.mode/metadataHash are inconsistent"),
        };
        Ok(UnsignedPayload {
            address: AccountId::parse(&json.address)?,
            method: hexutil::decode(&json.method).map_err(|e| bad("method", e))?,
            era,
            block_hash: hexutil::decode_fixed::<32>(&json.block_hash).map_err(|e| bad("blockHash", e))?,
            block_number: u32_of("blockNumber", &json.block_number)?,
            genesis_hash: hexutil::decode_fixed::<32>(&json.genesis_hash).map_err(|e| bad("genesisHash", e))?,
            nonce: u32_of("nonce", &json.nonce)?,
            tip: hexutil::decode_be(&json.tip).map_err(|e| bad("tip", e))?,
            spec_version: u32_of("specVersion", &json.spec_version)?,
            transaction_version: u32_of("transactionVersion", &json.transaction_version)?,
            signed_extensions: json.signed_extensions.clone(),
            metadata_hash,
            has_mode: json.mode.is_some(),
        })
    }

    /// One extension's "extra" part (carried by the extrinsic).
    fn extra_of(&self, extra: Extra, out: &mut Vec<u8>) {
        match extra {
            Extra::None => {}
            Extra::Era => out.extend_from_slice(&self.era.encode()),
            Extra::Nonce => Compact(self.nonce).encode_to(out),
            Extra::Tip => Compact(self.tip).encode_to(out),
            Extra::MetadataHashMode => out.push(self.metadata_hash.is_some() as u8),
        }
    }

    /// One extension's "additional signed" part (signed, never sent).
    fn additional_of(&self, additional: Additional, out: &mut Vec<u8>) {
        match additional {
            Additional::None => {}
            Additional::SpecVersion => self.spec_version.encode_to(out),
            Additional::TxVersion => self.transaction_version.encode_to(out),
            Additional::GenesisHash => out.extend_from_slice(&self.genesis_hash),
            Additional::EraBlockHash => match self.era {
                Era::Immortal => out.extend_from_slice(&self.genesis_hash),
                Era::Mortal { .. } => out.extend_from_slice(&self.block_hash),
            },
            Additional::MetadataHash => self.metadata_hash.encode_to(out),
        }
    }

    /// Each extension's "extra" part, in metadata order: what the signed extrinsic carries.
    pub fn extra_bytes(&self, facts: &RuntimeFacts) -> Vec<u8> {
        let mut out = Vec::new();
        for ext in &facts.extensions {
            self.extra_of(ext.extra, &mut out);
        }
        out
    }

    /// Each extension as polkadot-api signers take it: identifier, extra, additional signed.
    pub fn extension_parts(&self, facts: &RuntimeFacts) -> Vec<(String, Vec<u8>, Vec<u8>)> {
        let part = |ext: &crate::vara::metadata::SignedExtension| {
            let (mut extra, mut additional) = (Vec::new(), Vec::new());
            self.extra_of(ext.extra, &mut extra);
            self.additional_of(ext.additional, &mut additional);
            (ext.identifier.clone(), extra, additional)
        };
        facts.extensions.iter().map(part).collect()
    }

    /// The ExtrinsicPayload encoding: call, extras, then additional-signed parts.
    pub fn encode(&self, facts: &RuntimeFacts) -> Result<Vec<u8>> {
        if self.signed_extensions != facts.extension_names() {
            return err(
                ErrorCode::MalformedHeader,
                format!(
                    "signedExtensions {:?} differ from the runtime's {:?}",
                    self.signed_extensions,
                    facts.extension_names()
                ),
            );
        }
        let mut out = self.method.clone();
        out.extend_from_slice(&self.extra_bytes(facts));
        for ext in &facts.extensions {
            self.additional_of(ext.additional, &mut out);
        }
        Ok(out)
    }

    /// The signed extrinsic (v4, `MultiAddress::Id`, `MultiSignature`), length-prefixed, as a
    /// node receives it. `signature` is the multisignature (type byte first: 65 bytes, 66 for
    /// ecdsa).
    pub fn signed_extrinsic(&self, facts: &RuntimeFacts, signature: &[u8]) -> Vec<u8> {
        let mut body = vec![0x80 | EXTRINSIC_VERSION, 0x00];
        body.extend_from_slice(&self.address.0);
        body.extend_from_slice(signature);
        body.extend_from_slice(&self.extra_bytes(facts));
        body.extend_from_slice(&self.method);
        let mut out = Compact(body.len() as u32).encode();
        out.extend_from_slice(&body);
        out
    }

    /// The bytes a signer signs: the payload, or its blake2-256 hash when over 256 bytes.
    pub fn signing_bytes(&self, facts: &RuntimeFacts) -> Result<Vec<u8>> {
        let raw = self.encode(facts)?;
        Ok(if raw.len() > HASH_THRESHOLD { blake2_256(&raw).to_vec() } else { raw })
    }
}
