//! Any JS value usable as a signer: an object shaped like a Polkadot extension signer
//! `{ address, signPayload(payload, bytes) }` (this package's `Keypair` is one), a
//! polkadot-js keyring pair `{ address, sign(bytes) }`, or a polkadot-api `PolkadotSigner`
//! `{ publicKey, signTx(callData, signedExtensions, metadata, atBlockNumber) }`. An optional
//! `type` ('sr25519' | 'ed25519' | 'ecdsa') says what a bare signature is.
//!
//! Trust boundary: the signer is the caller's; what it returns is checked (src/signer/answer.rs:
//! a signed transaction is decoded and held to the payload, every signature is verified
//! against the payer's key) before anything is sent.

use super::errors::from_js;
use crate::error::{err, Error, ErrorCode, Result};
use crate::signer::{Answer, SigKind, SignOutcome, SignRequest, Signer};
use crate::vara::address::AccountId;
use crate::vara::extrinsic::SignerPayloadJson;
use crate::vara::hashing::blake2_256;
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

const FORMS: &str = "pass a Keypair (Keypair.fromSuri(...)), an extension signer { address, signPayload } (connectExtension), a polkadot-js keyring pair { address, sign } (fromKeyringPair), or a polkadot-api PolkadotSigner { publicKey, signTx }";

enum Method {
    /// `signPayload(payload, bytes) → { signature, signedTransaction?, metadataHash? }`
    Payload(Function),
    /// `sign(bytes) → Uint8Array | hex` (a keyring pair or a callback)
    Bytes(Function),
    /// polkadot-api: `signTx(callData, signedExtensions, metadata, atBlockNumber) → Uint8Array`
    Transaction(Function),
}

pub struct JsSigner {
    account: AccountId,
    kind: Option<SigKind>,
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

fn function(object: &JsValue, name: &str) -> Option<Function> {
    get(object, name).dyn_into::<Function>().ok()
}

/// A polkadot-api signer's account: its 32-byte public key, or for a 33-byte compressed
/// ecdsa key the runtime's account id of it (blake2-256).
fn papi_account(public_key: &JsValue) -> Result<(AccountId, Option<SigKind>)> {
    let bytes = public_key.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec).unwrap_or_default();
    match bytes.len() {
        32 => Ok((AccountId(bytes.try_into().expect("32 bytes")), None)),
        33 => Ok((AccountId(blake2_256(&bytes)), Some(SigKind::Ecdsa))),
        n => err(
            ErrorCode::InvalidOptions,
            format!("signer.publicKey must be a Uint8Array of 32 bytes (33 for a compressed ecdsa key), got {n} bytes"),
        ),
    }
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
        let declared = match get(value, "type").as_string() {
            Some(t) => Some(SigKind::parse(&t).ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidOptions,
                    format!("signer.type {t:?} cannot pay on Vara: sr25519, ed25519 and ecdsa accounts can"),
                )
            })?),
            None => None,
        };
        if let (Some(f), None) = (function(value, "signTx"), function(value, "signPayload")) {
            let (account, kind) = papi_account(&get(value, "publicKey"))?;
            return Ok(JsSigner {
                account,
                kind: kind.or(declared),
                object: value.clone(),
                method: Method::Transaction(f),
            });
        }
        let method = match (function(value, "signPayload"), function(value, "sign")) {
            (Some(f), _) => Method::Payload(f),
            (None, Some(f)) => Method::Bytes(f),
            _ => {
                return err(
                    ErrorCode::InvalidOptions,
                    format!(
                    "the signer has neither signPayload(payload) nor sign(bytes) (nor a polkadot-api signTx): {FORMS}"
                ),
                )
            }
        };
        let Some(address) = get(value, "address").as_string() else {
            return err(ErrorCode::InvalidOptions, format!("the signer has no `address` string: {FORMS}"));
        };
        let account = AccountId::parse(&address)
            .map_err(|e| Error::new(ErrorCode::InvalidAddress, format!("signer.address: {}", e.message)))?;
        Ok(JsSigner { account, kind: declared, object: value.clone(), method })
    }

    /// What the signer threw: its own `X402Error` as it is, anything else as a refusal.
    fn rejected(&self, e: JsValue) -> Error {
        if is_freed_keypair(&self.object) {
            return key_freed();
        }
        let already_ours = get(&e, "name").as_string().as_deref() == Some("X402Error");
        let e = from_js(e, ErrorCode::SignerRejected);
        if already_ours {
            return e;
        }
        let message = format!("the signer refused: {}", e.message);
        e.reworded(message)
    }

    async fn call(&self, f: &Function, args: &[JsValue]) -> Result<JsValue> {
        let answer = f.apply(&self.object, &args.iter().collect::<js_sys::Array>()).map_err(|e| self.rejected(e))?;
        JsFuture::from(Promise::resolve(&answer)).await.map_err(|e| self.rejected(e))
    }
}

/// Bytes from what a signer returned: hex or a Uint8Array.
fn bytes_of(value: &JsValue, what: &str) -> Result<Vec<u8>> {
    if let Some(hex) = value.as_string() {
        return crate::hexutil::decode(&hex)
            .map_err(|_| Error::new(ErrorCode::InvalidSignature, format!("the {what} is not 0x hex")));
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    err(ErrorCode::InvalidSignature, format!("the signer returned no {what} (expected hex or a Uint8Array)"))
}

/// `signedExtensions` as polkadot-api signers take it: identifier → { identifier, value, additionalSigned }.
fn papi_extensions(extensions: &[(String, Vec<u8>, Vec<u8>)]) -> JsValue {
    let record = Object::new();
    for (identifier, extra, additional) in extensions {
        let entry = Object::new();
        let _ = Reflect::set(&entry, &"identifier".into(), &identifier.into());
        let _ = Reflect::set(&entry, &"value".into(), &Uint8Array::from(&extra[..]));
        let _ = Reflect::set(&entry, &"additionalSigned".into(), &Uint8Array::from(&additional[..]));
        let _ = Reflect::set(&record, &identifier.into(), &entry);
    }
    record.into()
}

impl Signer for JsSigner {
    fn account(&self) -> Result<AccountId> {
        if is_freed_keypair(&self.object) {
            return Err(key_freed());
        }
        Ok(self.account)
    }

    fn kind(&self) -> Option<SigKind> {
        self.kind
    }

    fn wants_metadata(&self) -> bool {
        matches!(self.method, Method::Transaction(_))
    }

    async fn sign(&self, payload: &SignerPayloadJson, signing_bytes: &[u8]) -> Result<SignOutcome> {
        let answer = self
            .sign_request(&SignRequest {
                payload,
                signing_bytes,
                call: &[],
                extensions: &[],
                metadata: None,
                block_number: 0,
            })
            .await?;
        match answer {
            Answer::Signature(outcome) => Ok(outcome),
            Answer::Extrinsic { .. } => err(ErrorCode::InvalidSignature, "expected a signature, got a transaction"),
        }
    }

    async fn sign_request(&self, request: &SignRequest<'_>) -> Result<Answer> {
        if is_freed_keypair(&self.object) {
            return Err(key_freed());
        }
        // The exact bytes go along for signers that hold a raw key (a keyring pair, a
        // callback, a Keypair); extensions ignore them and rebuild the bytes from the payload.
        let bytes: JsValue = Uint8Array::from(request.signing_bytes).into();
        match &self.method {
            Method::Bytes(f) => {
                let answer = self.call(f, &[bytes]).await?;
                Ok(Answer::Signature(SignOutcome { signature: bytes_of(&answer, "signature")?, metadata_hash: None }))
            }
            Method::Payload(f) => {
                let payload = super::json::to_js(request.payload)?;
                let answer = self.call(f, &[payload, bytes]).await?;
                if !answer.is_object() {
                    return err(ErrorCode::InvalidSignature, "signPayload must resolve to { signature }");
                }
                let signature = get(&answer, "signature");
                let signature = match signature.is_undefined() || signature.is_null() {
                    true => None,
                    false => Some(bytes_of(&signature, "signature")?),
                };
                // Wallets that change the payload (Ledger accounts sign with their own metadata)
                // return the transaction they signed; it is checked like any other.
                let transaction = get(&answer, "signedTransaction");
                if !transaction.is_undefined() && !transaction.is_null() {
                    let extrinsic = bytes_of(&transaction, "signedTransaction")?;
                    return Ok(Answer::Extrinsic { extrinsic, signature });
                }
                let Some(signature) = signature else {
                    return err(ErrorCode::InvalidSignature, "signPayload must resolve to { signature }");
                };
                // Some wallets report the metadata hash they signed with.
                let metadata_hash = get(&answer, "metadataHash")
                    .as_string()
                    .map(|h| crate::hexutil::decode_fixed::<32>(&h))
                    .transpose()
                    .map_err(|_| Error::new(ErrorCode::InvalidSignature, "metadataHash is not 32 bytes of hex"))?;
                Ok(Answer::Signature(SignOutcome { signature, metadata_hash }))
            }
            Method::Transaction(f) => {
                let Some(metadata) = request.metadata else {
                    return err(ErrorCode::SelfCheckFailed, "a polkadot-api signer needs the runtime metadata");
                };
                let args = [
                    Uint8Array::from(request.call).into(),
                    papi_extensions(request.extensions),
                    Uint8Array::from(metadata).into(),
                    JsValue::from(request.block_number),
                ];
                let answer = self.call(f, &args).await?;
                Ok(Answer::Extrinsic { extrinsic: bytes_of(&answer, "signed transaction")?, signature: None })
            }
        }
    }
}
