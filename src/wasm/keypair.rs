//! `Keypair`: an sr25519 key held inside the wasm. JavaScript gets the address and public
//! key, never the secret. As a signer it is an object like any other (`address` and
//! `signPayload`): no number or token names it, so nothing can be forged to sign as it, and
//! once `free()` wipes it every wrapper holding it stops with `KEY_FREED`.

use super::args;
use super::errors::to_js;
use crate::error::{Error, ErrorCode};
use crate::signer::keypair::{seed_from_hex, KeyPolicy, Keypair as CoreKeypair};
use crate::signer::SR25519_TYPE_BYTE;
use crate::vara::address::VARA_SS58_PREFIX;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const KEY_TYPES: &'static str = r#"
/** Options of the Keypair constructors. */
export interface KeyOptions {
  /** Allow publicly known keys: an empty SURI (the development root key) or an all-zero seed. */
  allowDevelopmentKeys?: boolean;
}
"#;

/// An sr25519 keypair; `free()` wipes the secret.
#[wasm_bindgen]
pub struct Keypair {
    key: CoreKeypair,
}

/// `{ allowDevelopmentKeys: true }` lets publicly known keys be made (see `KeyPolicy`).
fn key_policy(options: &JsValue) -> Result<KeyPolicy, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(KeyPolicy::default());
    }
    let allow = js_sys::Reflect::get(options, &"allowDevelopmentKeys".into()).unwrap_or(JsValue::UNDEFINED);
    let keys = js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>());
    if keys.length() != 1 || allow.as_bool().is_none() {
        return Err(to_js(Error::new(
            ErrorCode::InvalidOptions,
            "the only key option is { allowDevelopmentKeys: boolean }",
        )));
    }
    Ok(KeyPolicy { allow_development_keys: allow.as_bool() == Some(true) })
}

fn secret_string(value: &JsValue, what: &str) -> Result<zeroize::Zeroizing<String>, JsValue> {
    value
        .as_string()
        .map(zeroize::Zeroizing::new)
        .ok_or_else(|| to_js(Error::new(ErrorCode::InvalidSecret, format!("{what} must be a string"))))
}

#[wasm_bindgen]
impl Keypair {
    /// `//Alice`, `<mnemonic>//hard/soft///password`, or `0x<32-byte seed>//path`.
    #[wasm_bindgen(js_name = fromSuri)]
    pub fn from_suri(
        #[wasm_bindgen(unchecked_param_type = "string")] suri: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "KeyOptions")] options: JsValue,
    ) -> Result<Keypair, JsValue> {
        let suri = secret_string(&suri, "a secret URI")?;
        let key = CoreKeypair::from_suri_with(&suri, key_policy(&options)?).map_err(to_js)?;
        Ok(Keypair { key })
    }

    #[wasm_bindgen(js_name = fromMnemonic)]
    pub fn from_mnemonic(
        #[wasm_bindgen(unchecked_param_type = "string")] phrase: JsValue,
        // Taken as a JsValue and checked here: wasm-bindgen's own `Option<String>` trusts the
        // caller, and a number or an object trapped the wasm ("memory access out of bounds").
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] password: JsValue,
    ) -> Result<Keypair, JsValue> {
        let phrase = secret_string(&phrase, "a mnemonic")?;
        let password = match password.is_undefined() || password.is_null() {
            true => None,
            false => Some(secret_string(&password, "a password")?),
        };
        CoreKeypair::from_mnemonic(&phrase, password.as_deref().map(String::as_str))
            .map(|key| Keypair { key })
            .map_err(to_js)
    }

    /// A 32-byte seed, as bytes or `0x` hex.
    #[wasm_bindgen(js_name = fromSeed)]
    pub fn from_seed(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] seed: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "KeyOptions")] options: JsValue,
    ) -> Result<Keypair, JsValue> {
        let invalid = || to_js(Error::new(ErrorCode::InvalidSecret, "a seed must be 32 bytes (Uint8Array or 0x hex)"));
        // Every copy made here is wiped on drop: the text, the bytes decoded from it, the bytes
        // copied out of a Uint8Array (the caller's own string or array is theirs to drop).
        let bytes = match seed.as_string().map(zeroize::Zeroizing::new) {
            Some(text) => {
                let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).ok_or_else(invalid)?;
                zeroize::Zeroizing::new(seed_from_hex(digits).map_err(|_| invalid())?.to_vec())
            }
            None if seed.is_instance_of::<js_sys::Uint8Array>() => {
                zeroize::Zeroizing::new(js_sys::Uint8Array::new(&seed).to_vec())
            }
            None => return Err(invalid()),
        };
        CoreKeypair::from_seed_with(&bytes, key_policy(&options)?).map(|key| Keypair { key }).map_err(to_js)
    }

    /// SS58 address with Vara's prefix 137.
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        crate::vara::address::ss58_encode(&self.key.public_key(), VARA_SS58_PREFIX)
    }

    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> String {
        crate::hexutil::encode(&self.key.public_key())
    }

    /// Signs raw bytes (sr25519, "substrate" context); returns the 64-byte signature.
    pub fn sign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | number[]")] message: JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        let message = args::bytes(&message, ErrorCode::InvalidOptions, "the message").map_err(to_js)?;
        Ok(self.key.sign_raw(&message).to_vec())
    }

    /// The extension-signer method: signs the exact payload `bytes` the client passes along
    /// (the JSON payload is for extensions, which rebuild the bytes themselves).
    #[wasm_bindgen(js_name = signPayload, unchecked_return_type = "Promise<{ signature: string }>")]
    pub fn sign_payload(
        &self,
        #[wasm_bindgen(unchecked_param_type = "object")] _payload: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | number[]")] bytes: JsValue,
    ) -> js_sys::Promise {
        let bytes = match args::bytes(&bytes, ErrorCode::InvalidOptions, "the payload bytes") {
            Ok(bytes) => bytes,
            Err(e) => return js_sys::Promise::reject(&to_js(e)),
        };
        let mut signature = vec![SR25519_TYPE_BYTE];
        signature.extend_from_slice(&self.key.sign_raw(&bytes));
        let answer = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&answer, &"signature".into(), &crate::hexutil::encode(&signature).into());
        js_sys::Promise::resolve(&JsValue::from(answer))
    }
}
