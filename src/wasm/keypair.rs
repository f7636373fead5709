//! `Keypair`: an sr25519 key held inside the wasm. JavaScript gets the address and public
//! key, never the secret. The key lives in a registry keyed by a number, so that a JS
//! `Keypair` passed as a signer is recognised without exposing anything.

use super::errors::to_js;
use crate::signer::keypair::Keypair as CoreKeypair;
use crate::vara::address::VARA_SS58_PREFIX;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

thread_local! {
    static KEYS: RefCell<HashMap<u32, Rc<CoreKeypair>>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

pub fn lookup(id: u32) -> Option<Rc<CoreKeypair>> {
    KEYS.with(|k| k.borrow().get(&id).cloned())
}

/// An sr25519 keypair; `free()` wipes the secret.
#[wasm_bindgen]
pub struct Keypair {
    id: u32,
    public: [u8; 32],
}

impl Keypair {
    fn register(key: CoreKeypair) -> Keypair {
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        let public = key.public_key();
        KEYS.with(|k| k.borrow_mut().insert(id, Rc::new(key)));
        Keypair { id, public }
    }
}

impl Drop for Keypair {
    fn drop(&mut self) {
        KEYS.with(|k| k.borrow_mut().remove(&self.id));
    }
}

#[wasm_bindgen]
impl Keypair {
    /// `//Alice`, `<mnemonic>//hard/soft///password`, or `0x<32-byte seed>//path`.
    #[wasm_bindgen(js_name = fromSuri)]
    pub fn from_suri(suri: &str) -> Result<Keypair, JsValue> {
        CoreKeypair::from_suri(suri).map(Keypair::register).map_err(to_js)
    }

    #[wasm_bindgen(js_name = fromMnemonic)]
    pub fn from_mnemonic(phrase: &str, password: Option<String>) -> Result<Keypair, JsValue> {
        CoreKeypair::from_mnemonic(phrase, password.as_deref()).map(Keypair::register).map_err(to_js)
    }

    /// A 32-byte seed, as bytes or `0x` hex.
    #[wasm_bindgen(js_name = fromSeed)]
    pub fn from_seed(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] seed: JsValue,
    ) -> Result<Keypair, JsValue> {
        let bytes = match seed.as_string() {
            Some(hex) => zeroize::Zeroizing::new(crate::hexutil::decode(&hex).map_err(|_| {
                to_js(crate::Error::new(
                    crate::ErrorCode::InvalidSecret,
                    "a seed must be 32 bytes (Uint8Array or 0x hex)",
                ))
            })?),
            None => zeroize::Zeroizing::new(js_sys::Uint8Array::new(&seed).to_vec()),
        };
        CoreKeypair::from_seed(&bytes).map(Keypair::register).map_err(to_js)
    }

    /// SS58 address with Vara's prefix 137.
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        crate::vara::address::ss58_encode(&self.public, VARA_SS58_PREFIX)
    }

    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> String {
        crate::hexutil::encode(&self.public)
    }

    /// Signs raw bytes (sr25519, "substrate" context); returns the 64-byte signature.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JsValue> {
        let key = lookup(self.id)
            .ok_or_else(|| to_js(crate::Error::new(crate::ErrorCode::InvalidSecret, "keypair was freed")))?;
        Ok(key.sign_raw(message).to_vec())
    }

    /// Internal handle used to recognise this key when passed as a signer (not a secret).
    #[wasm_bindgen(getter, js_name = __x402KeyId, skip_typescript)]
    pub fn key_id(&self) -> u32 {
        self.id
    }
}

/// Verifies a 64-byte sr25519 signature (or 65 bytes with the 0x01 type byte).
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(message: &[u8], signature: &[u8], public_key_or_address: &str) -> Result<bool, JsValue> {
    let who = crate::vara::address::AccountId::parse(public_key_or_address).map_err(to_js)?;
    let sig = if signature.len() == 65 && signature[0] == crate::signer::SR25519_TYPE_BYTE {
        &signature[1..]
    } else {
        signature
    };
    Ok(crate::signer::keypair::verify(&who.0, message, sig))
}
