//! Account helpers for JavaScript: signature verification and address comparison.

use super::args;
use super::errors::to_js;
use crate::error::{ErrorCode, Result};
use crate::signer::SR25519_TYPE_BYTE;
use crate::vara::address::AccountId;
use wasm_bindgen::prelude::*;

/// Verifies a 64-byte sr25519 signature (or 65 bytes with the 0x01 type byte).
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
        let sig = match signature.split_first() {
            Some((&SR25519_TYPE_BYTE, rest)) if signature.len() == 65 => rest,
            _ => &signature[..],
        };
        Ok(crate::signer::sr25519::verify(&who.0, &message, sig))
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
