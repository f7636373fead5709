//! Any JS value usable as a signer: a wasm `Keypair`, or an object shaped like a Polkadot
//! extension signer `{ address, signPayload(payload) → Promise<{ signature }> }`.

use super::errors::from_js;
use super::keypair::lookup;
use crate::error::{err, Error, ErrorCode, Result};
use crate::signer::keypair::Keypair as CoreKeypair;
use crate::signer::{SignOutcome, Signer};
use crate::vara::address::AccountId;
use crate::vara::extrinsic::SignerPayloadJson;
use js_sys::Reflect;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub enum JsSigner {
    Key(Rc<CoreKeypair>),
    External { account: AccountId, object: JsValue, sign_payload: js_sys::Function },
}

impl JsSigner {
    pub fn from_js(value: &JsValue) -> Result<Self> {
        if let Some(id) = Reflect::get(value, &"__x402KeyId".into()).ok().and_then(|v| v.as_f64()) {
            return lookup(id as u32)
                .map(JsSigner::Key)
                .ok_or_else(|| Error::new(ErrorCode::InvalidSecret, "this Keypair was freed"));
        }
        let address = Reflect::get(value, &"address".into()).ok().and_then(|a| a.as_string());
        let sign_payload =
            Reflect::get(value, &"signPayload".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match (address, sign_payload) {
            (Some(address), Some(sign_payload)) => {
                Ok(JsSigner::External { account: AccountId::parse(&address)?, object: value.clone(), sign_payload })
            }
            _ => err(
                ErrorCode::InvalidOptions,
                "a signer is a Keypair or an object with `address` and `signPayload(payload)`",
            ),
        }
    }
}

impl Signer for JsSigner {
    fn account(&self) -> AccountId {
        match self {
            JsSigner::Key(k) => k.account(),
            JsSigner::External { account, .. } => *account,
        }
    }

    async fn sign(&self, payload: &SignerPayloadJson, signing_bytes: &[u8]) -> Result<SignOutcome> {
        let (object, sign_payload) = match self {
            JsSigner::Key(k) => return k.sign(payload, signing_bytes).await,
            JsSigner::External { object, sign_payload, .. } => (object, sign_payload),
        };
        let json = super::json::to_js(payload)?;
        let rejected = |e: JsValue| {
            let e = from_js(e, ErrorCode::SignerRejected);
            Error::new(e.code, format!("the signer refused: {}", e.message))
        };
        // The exact bytes go along for signers that hold a raw key (a polkadot-js keyring
        // pair, a callback); extensions ignore them and rebuild the bytes from the payload.
        let bytes = js_sys::Uint8Array::from(signing_bytes);
        let answer = sign_payload.call2(object, &json, &bytes).map_err(rejected)?;
        let answer = JsFuture::from(js_sys::Promise::resolve(&answer)).await.map_err(rejected)?;
        let signature = Reflect::get(&answer, &"signature".into())
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| Error::new(ErrorCode::InvalidSignature, "signPayload returned no `signature`"))?;
        let signature = crate::hexutil::decode(&signature)
            .map_err(|_| Error::new(ErrorCode::InvalidSignature, "signature is not hex"))?;
        // Hardware wallets enable CheckMetadataHash themselves and report the hash they used.
        let metadata_hash = Reflect::get(&answer, &"metadataHash".into())
            .ok()
            .and_then(|h| h.as_string())
            .map(|h| crate::hexutil::decode_fixed::<32>(&h))
            .transpose()
            .map_err(|_| Error::new(ErrorCode::InvalidSignature, "metadataHash is not 32 bytes of hex"))?;
        Ok(SignOutcome { signature, metadata_hash })
    }
}
