//! Account helpers for JavaScript: signature verification and address comparison.

use super::args;
use super::errors::to_js;
use crate::error::{ErrorCode, Result};
use crate::signer::{verify_multisignature, SigKind};
use crate::vara::address::AccountId;
use wasm_bindgen::prelude::*;

/// Verifies a signature by the account: sr25519 or ed25519 (64 bytes, or 65 with the type
/// byte), or ecdsa (65 bytes `r ‖ s ‖ v` over blake2-256 of the message, or 66 with 0x02; the
/// account is blake2-256 of the compressed key).
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | number[]")] message: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | number[]")] signature: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] public_key_or_address: JsValue,
) -> core::result::Result<bool, JsValue> {
    let run = || -> Result<bool> {
        let message = args::bytes(&message, ErrorCode::InvalidOptions, "the message")?;
        let signature = args::bytes(&signature, ErrorCode::InvalidOptions, "the signature")?;
        let address = args::string(&public_key_or_address, ErrorCode::InvalidAddress, "the address")?;
        let who = AccountId::parse(&address)?;
        let kinds = [SigKind::Sr25519, SigKind::Ed25519, SigKind::Ecdsa];
        let typed = kinds.into_iter().filter_map(|k| match signature.len().checked_sub(k.body_len()) {
            Some(0) => Some([&[k as u8][..], &signature].concat()),
            Some(1) if signature[0] == k as u8 => Some(signature.clone()),
            _ => None,
        });
        Ok(typed.into_iter().any(|s| verify_multisignature(&who, &message, &s).is_ok()))
    };
    run().map_err(to_js)
}

/// The 0x public key of an SS58 address (any prefix) or of a 0x key: two spellings of one
/// account compare equal this way.
#[wasm_bindgen(js_name = addressToPublicKey)]
pub fn address_to_public_key(
    #[wasm_bindgen(unchecked_param_type = "string")] address: JsValue,
) -> core::result::Result<String, JsValue> {
    args::string(&address, ErrorCode::InvalidAddress, "the address")
        .and_then(|a| AccountId::parse(&a))
        .map(|a| a.to_hex())
        .map_err(to_js)
}
