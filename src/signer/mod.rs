//! Who signs: a key inside the wasm, or something outside it (a browser extension, a callback,
//! a polkadot-api signer). Either way the signer sees polkadot-js's SignerPayloadJSON and the
//! exact bytes, and hands back a `MultiSignature` (sr25519, ed25519 or ecdsa) or a whole signed
//! extrinsic; [`answer`] checks what came back before anything uses it.

pub mod answer;
#[cfg(feature = "keypair")]
pub mod bip39;
pub mod ecdsa;
pub mod ed25519;
#[cfg(feature = "keypair")]
pub mod keypair;
pub mod sr25519;
#[cfg(feature = "keypair")]
pub mod sr25519_sign;
#[cfg(feature = "keypair")]
pub mod suri;

use crate::error::{err, Error, ErrorCode, Result};
use crate::vara::address::AccountId;
use crate::vara::extrinsic::SignerPayloadJson;

/// The type byte polkadot-js puts before an sr25519 signature (`MultiSignature::Sr25519`).
pub const SR25519_TYPE_BYTE: u8 = 0x01;

/// The three `MultiSignature` variants, by their SCALE index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigKind {
    Ed25519 = 0,
    Sr25519 = 1,
    Ecdsa = 2,
}

impl SigKind {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "ed25519" | "Ed25519" => Some(SigKind::Ed25519),
            "sr25519" | "Sr25519" => Some(SigKind::Sr25519),
            "ecdsa" | "Ecdsa" => Some(SigKind::Ecdsa),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SigKind::Ed25519 => "ed25519",
            SigKind::Sr25519 => "sr25519",
            SigKind::Ecdsa => "ecdsa",
        }
    }

    fn of_type_byte(byte: u8) -> Option<Self> {
        [SigKind::Ed25519, SigKind::Sr25519, SigKind::Ecdsa].into_iter().find(|k| *k as u8 == byte)
    }

    /// Bytes of the signature itself, after the type byte.
    pub fn body_len(self) -> usize {
        match self {
            SigKind::Ecdsa => 65,
            _ => 64,
        }
    }
}

/// What a signer hands back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOutcome {
    /// A MultiSignature (type byte first), or what the signer returned of one: 64 bytes, or 65
    /// for ecdsa, without it (see [`multisignature`]).
    pub signature: Vec<u8>,
    /// The metadata hash the signer says it signed with (`CheckMetadataHash` mode 1).
    pub metadata_hash: Option<[u8; 32]>,
}

/// Everything a signer may need: the JSON (extensions), the exact bytes (keys, callbacks),
/// and the parts polkadot-api signers build the transaction from.
pub struct SignRequest<'a> {
    pub payload: &'a SignerPayloadJson,
    /// The exact bytes to sign (already hashed when over 256 bytes).
    pub signing_bytes: &'a [u8],
    /// The SCALE call.
    pub call: &'a [u8],
    /// Each signed extension: identifier, its part in the extrinsic, its part signed only.
    pub extensions: &'a [(String, Vec<u8>, Vec<u8>)],
    /// The runtime metadata (V15 when the runtime has `CheckMetadataHash`), for signers that
    /// decode it; `None` when it was not read.
    pub metadata: Option<&'a [u8]>,
    pub block_number: u32,
}

/// A signer's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Signature(SignOutcome),
    /// A whole signed extrinsic (an extension's `signedTransaction`, a polkadot-api
    /// `signTx`); `signature` is the one the signer also returned, if any.
    Extrinsic {
        extrinsic: Vec<u8>,
        signature: Option<Vec<u8>>,
    },
}

/// A signer of payment payloads. `signing_bytes` are the exact bytes to sign (already hashed
/// when over 256 bytes), for signers that hold the key; external signers may use `payload`.
#[allow(async_fn_in_trait)]
pub trait Signer {
    /// The account that pays; an error when the key is gone (freed).
    fn account(&self) -> Result<AccountId>;
    async fn sign(&self, payload: &SignerPayloadJson, signing_bytes: &[u8]) -> Result<SignOutcome>;
    /// The key type the signer declared, for a bare 64- or 65-byte signature.
    fn kind(&self) -> Option<SigKind> {
        None
    }
    /// Whether the signer decodes the runtime metadata itself (polkadot-api signers do).
    fn wants_metadata(&self) -> bool {
        false
    }
    /// Signers that build the whole transaction (polkadot-api) or may return one (extensions)
    /// override this; the rest sign the bytes.
    async fn sign_request(&self, request: &SignRequest<'_>) -> Result<Answer> {
        self.sign(request.payload, request.signing_bytes).await.map(Answer::Signature)
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidSignature, message)
}

/// A `MultiSignature` from what a signer returned: typed (65 bytes led by 0x00 or 0x01, 66 led
/// by 0x02), or bare (64 bytes, 65 for ecdsa) of the signer's declared `kind`. A bare 64-byte
/// signature of no declared kind is sr25519 or ed25519, whichever verifies.
pub fn multisignature(bytes: &[u8], kind: Option<SigKind>, signer: &AccountId, message: &[u8]) -> Result<Vec<u8>> {
    let typed = |k: SigKind| [&[k as u8][..], bytes].concat();
    let type_byte = bytes.first().and_then(|b| SigKind::of_type_byte(*b));
    match (bytes.len(), kind) {
        // 65 bytes from an ecdsa signer are `r ‖ s ‖ v`, whatever r starts with.
        (65, Some(SigKind::Ecdsa)) => Ok(typed(SigKind::Ecdsa)),
        (n, _) if type_byte.is_some_and(|k| n == 1 + k.body_len()) => Ok(bytes.to_vec()),
        (64, Some(k @ (SigKind::Sr25519 | SigKind::Ed25519))) => Ok(typed(k)),
        (64, None) => {
            let sr = typed(SigKind::Sr25519);
            Ok(if verify_multisignature(signer, message, &sr).is_ok() { sr } else { typed(SigKind::Ed25519) })
        }
        (65, _) => err(
            ErrorCode::InvalidSignature,
            "a 65-byte signature must start with its type byte (0x00 ed25519, 0x01 sr25519); a bare ecdsa signature needs the signer's type 'ecdsa'",
        ),
        (n, _) => err(
            ErrorCode::InvalidSignature,
            format!("a signature is 64 bytes (65 for ecdsa), or one more with its type byte; got {n}"),
        ),
    }
}

/// Checks a `MultiSignature` (type byte first) over `message` by `signer`: sr25519 and ed25519
/// against the account id as a public key, ecdsa against the account id as the hash of the
/// recovered key, as the runtime does.
pub fn verify_multisignature(signer: &AccountId, message: &[u8], signature: &[u8]) -> Result<()> {
    let Some((&type_byte, body)) = signature.split_first() else {
        return Err(invalid("the signature is empty"));
    };
    let Some(kind) = SigKind::of_type_byte(type_byte) else {
        return Err(invalid(format!(
            "unknown signature type 0x{type_byte:02x} (0x00 ed25519, 0x01 sr25519, 0x02 ecdsa)"
        )));
    };
    if body.len() != kind.body_len() {
        return Err(invalid(format!(
            "an {} signature is {} bytes after its type byte, got {}",
            kind.name(),
            kind.body_len(),
            body.len()
        )));
    }
    let valid = match kind {
        SigKind::Sr25519 => sr25519::verify(&signer.0, message, body),
        SigKind::Ed25519 => ed25519::verify(&signer.0, message, body),
        SigKind::Ecdsa => ecdsa::verify(&signer.0, message, body),
    };
    if !valid {
        return Err(invalid(format!("the {} signature does not verify for the payer's key", kind.name())));
    }
    Ok(())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use sp_core::Pair as _;

    fn accounts() -> [(SigKind, AccountId, Vec<u8>); 3] {
        let m = b"payload";
        let sr = sp_core::sr25519::Pair::from_string("//Alice", None).unwrap();
        let ed = sp_core::ed25519::Pair::from_string("//Alice", None).unwrap();
        let ec = sp_core::ecdsa::Pair::from_string("//Alice", None).unwrap();
        [
            (SigKind::Sr25519, AccountId(sr.public().0), sr.sign(m).0.to_vec()),
            (SigKind::Ed25519, AccountId(ed.public().0), ed.sign(m).0.to_vec()),
            (SigKind::Ecdsa, AccountId(crate::vara::hashing::blake2_256(&ec.public().0)), ec.sign(m).0.to_vec()),
        ]
    }

    #[test]
    fn every_kind_verifies_typed_and_bare() {
        for (kind, account, bare) in accounts() {
            let typed = [&[kind as u8][..], &bare].concat();
            verify_multisignature(&account, b"payload", &typed).unwrap();
            assert_eq!(multisignature(&typed, None, &account, b"payload").unwrap(), typed);
            assert_eq!(multisignature(&bare, Some(kind), &account, b"payload").unwrap(), typed);
            if kind != SigKind::Ecdsa {
                // Bare and undeclared: whichever verifies.
                assert_eq!(multisignature(&bare, None, &account, b"payload").unwrap(), typed);
            }
            let e = verify_multisignature(&account, b"other", &typed).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidSignature);
            assert!(e.message.contains(kind.name()), "{}", e.message);
        }
    }

    #[test]
    fn a_signature_of_another_kind_or_shape_is_refused() {
        let [(_, sr_account, sr), (_, ed_account, ed), _] = accounts();
        // An ed25519 signature labelled sr25519 and the reverse.
        assert!(verify_multisignature(&ed_account, b"payload", &[&[1u8][..], &ed].concat()).is_err());
        assert!(verify_multisignature(&sr_account, b"payload", &[&[0u8][..], &sr].concat()).is_err());
        for bad in [vec![], vec![3u8; 65], vec![2u8; 65], vec![1u8; 66], vec![1u8; 10]] {
            assert_eq!(
                verify_multisignature(&sr_account, b"payload", &bad).unwrap_err().code,
                ErrorCode::InvalidSignature
            );
        }
        assert!(multisignature(&[9u8; 65], None, &sr_account, b"payload").is_err());
        assert!(multisignature(&[9u8; 30], None, &sr_account, b"payload").is_err());
    }

    #[cfg(feature = "keypair")]
    #[test]
    fn multisignatures_verify_only_for_their_signer_message_and_form() {
        use crate::signer::keypair::Keypair;
        let alice = Keypair::from_suri("//Alice").unwrap();
        let bob = AccountId(Keypair::from_suri("//Bob").unwrap().public_key());
        let signer = AccountId(alice.public_key());
        let mut signature = vec![SR25519_TYPE_BYTE];
        signature.extend_from_slice(&alice.sign_raw(b"payload"));
        assert_eq!(verify_multisignature(&signer, b"payload", &signature), Ok(()));
        let refused = |who: &AccountId, message: &[u8], signature: &[u8]| {
            verify_multisignature(who, message, signature).unwrap_err().code == ErrorCode::InvalidSignature
        };
        assert!(refused(&bob, b"payload", &signature));
        assert!(refused(&signer, b"other", &signature));
        assert!(refused(&signer, b"payload", &signature[1..]), "no type byte");
        assert!(refused(&signer, b"payload", &[&signature[..], &[0]].concat()), "66 bytes");
        let mut ed25519 = signature.clone();
        ed25519[0] = 0x00; // MultiSignature::Ed25519
        assert!(refused(&signer, b"payload", &ed25519));
    }
}
