//! Account helpers for JavaScript: signature verification and address comparison.

use super::errors::to_js;
use crate::signer::SR25519_TYPE_BYTE;
use crate::vara::address::AccountId;
use wasm_bindgen::prelude::*;

/// Verifies a 64-byte sr25519 signature (or 65 bytes with the 0x01 type byte).
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(message: &[u8], signature: &[u8], public_key_or_address: &str) -> Result<bool, JsValue> {
    let who = AccountId::parse(public_key_or_address).map_err(to_js)?;
    let sig = if signature.len() == 65 && signature[0] == SR25519_TYPE_BYTE { &signature[1..] } else { signature };
    Ok(crate::signer::sr25519::verify(&who.0, message, sig))
}

/// The 0x public key of an SS58 address (any prefix) or of a 0x key: two spellings of one
/// account compare equal this way.
#[wasm_bindgen(js_name = addressToPublicKey)]
pub fn address_to_public_key(address: &str) -> Result<String, JsValue> {
    AccountId::parse(address).map(|a| a.to_hex()).map_err(to_js)
}
