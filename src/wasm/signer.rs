//! Any JS value usable as a signer: an object shaped like a Polkadot extension signer
//! `{ address, signPayload(payload, bytes) }` (this package's `Keypair` is one), or a
//! polkadot-js keyring pair `{ address, sign(bytes) }`.
//!
//! Trust boundary: the signer is the caller's; what it returns is checked (the signature is
//! verified against the payer's key before anything is sent).

use super::errors::from_js;
use crate::error::{err, Error, ErrorCode, Result};
use crate::signer::{SignOutcome, Signer, SR25519_TYPE_BYTE};
use crate::vara::address::AccountId;
use crate::vara::extrinsic::SignerPayloadJson;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

const FORMS: &str = "pass a Keypair (Keypair.fromSuri(...)), an extension signer { address, signPayload } (connectExtension), or a polkadot-js keyring pair { address, sign } (fromKeyringPair)";

enum Method {
    /// `signPayload(payload, bytes) → { signature, metadataHash? }`
    SignPayload(Function),
    /// `sign(bytes) → Uint8Array | hex` (a keyring pair or a callback)
    SignBytes(Function),
}

pub struct JsSigner {
    account: AccountId,
    object: JsValue,
    method: Method,
}

fn get(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A `Keypair` whose `free()` was called (wasm-bindgen zeroes the handle).
fn is_freed_keypair(object: &JsValue) -> bool {
    get(object, "__wbg_ptr").as_f64() == Some(0.0)
}

fn key_freed() -> Error {
    Error::new(ErrorCode::KeyFreed, "this Keypair was freed (free() was called): it can no longer sign")
}

impl JsSigner {
    pub fn from_js(value: &JsValue) -> Result<Self> {
        if value.is_undefined() || value.is_null() {
            return err(ErrorCode::InvalidOptions, format!("a signer is required: {FORMS}"));
        }
        if value.is_string() {
            // Never echo it: it may be a secret.
            return err(
                ErrorCode::InvalidOptions,
                format!("the signer is a string; to sign with a secret URI or mnemonic use Keypair.fromSuri(secret); otherwise {FORMS}"),
            );
        }
        if !value.is_object() {
            return err(ErrorCode::InvalidOptions, format!("the signer must be an object: {FORMS}"));
        }
        if is_freed_keypair(value) {
            return Err(key_freed());
        }
        let address = get(value, "address");
        let method = match (get(value, "signPayload").dyn_into::<Function>(), get(value, "sign").dyn_into::<Function>())
        {
            (Ok(f), _) => Method::SignPayload(f),
            (Err(_), Ok(f)) => Method::SignBytes(f),
            _ => {
                return err(
                    ErrorCode::InvalidOptions,
                    format!("the signer has neither signPayload(payload) nor sign(bytes): {FORMS}"),
                )
            }
        };
        let Some(address) = address.as_string() else {
            return err(ErrorCode::InvalidOptions, format!("the signer has no `address` string: {FORMS}"));
        };
        let account = AccountId::parse(&address)
            .map_err(|e| Error::new(ErrorCode::InvalidAddress, format!("signer.address: {}", e.message)))?;
        Ok(JsSigner { account, object: value.clone(), method })
    }
}

/// `0x01` + 64 bytes from what a signer returned: 64 or 65 bytes, as bytes or hex.
fn multisignature(value: &JsValue) -> Result<Vec<u8>> {
    let bytes = if let Some(hex) = value.as_string() {
        crate::hexutil::decode(&hex)
            .map_err(|_| Error::new(ErrorCode::InvalidSignature, "the signature is not 0x hex"))?
    } else if value.is_instance_of::<js_sys::Uint8Array>() {
        js_sys::Uint8Array::new(value).to_vec()
    } else {
        return err(ErrorCode::InvalidSignature, "the signer returned no signature (expected hex or a Uint8Array)");
    };
    match bytes.len() {
        64 => Ok([&[SR25519_TYPE_BYTE][..], &bytes].concat()),
        65 => Ok(bytes),
        n => err(ErrorCode::InvalidSignature, format!("a signature is 64 or 65 bytes, got {n}")),
    }
}

impl Signer for JsSigner {
    fn account(&self) -> Result<AccountId> {
        if is_freed_keypair(&self.object) {
            return Err(key_freed());
        }
        Ok(self.account)
    }

    async fn sign(&self, payload: &SignerPayloadJson, signing_bytes: &[u8]) -> Result<SignOutcome> {
        if is_freed_keypair(&self.object) {
            return Err(key_freed());
        }
        let rejected = |e: JsValue| {
            if is_freed_keypair(&self.object) {
                return key_freed();
            }
            let e = from_js(e, ErrorCode::SignerRejected);
            let message = format!("the signer refused: {}", e.message);
            e.reworded(message)
        };
        // The exact bytes go along for signers that hold a raw key (a keyring pair, a
        // callback, a Keypair); extensions ignore them and rebuild the bytes from the payload.
        let bytes = js_sys::Uint8Array::from(signing_bytes);
        let answer = match &self.method {
            Method::SignPayload(f) => f.call2(&self.object, &super::json::to_js(payload)?, &bytes),
            Method::SignBytes(f) => f.call1(&self.object, &bytes),
        }
        .map_err(rejected)?;
        let answer = JsFuture::from(Promise::resolve(&answer)).await.map_err(rejected)?;
        match &self.method {
            Method::SignBytes(_) => Ok(SignOutcome { signature: multisignature(&answer)?, metadata_hash: None }),
            Method::SignPayload(_) => {
                if !answer.is_object() {
                    return err(ErrorCode::InvalidSignature, "signPayload must resolve to { signature }");
                }
                let signature = multisignature(&get(&answer, "signature"))?;
                // Hardware wallets enable CheckMetadataHash themselves and report the hash used.
                let metadata_hash = get(&answer, "metadataHash")
                    .as_string()
                    .map(|h| crate::hexutil::decode_fixed::<32>(&h))
                    .transpose()
                    .map_err(|_| Error::new(ErrorCode::InvalidSignature, "metadataHash is not 32 bytes of hex"))?;
                Ok(SignOutcome { signature, metadata_hash })
            }
        }
    }
}
