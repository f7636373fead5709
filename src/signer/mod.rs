//! Who signs: a key inside the wasm, or something outside it (a browser extension, a callback).
//! Either way the signer sees polkadot-js's SignerPayloadJSON and returns a 65-byte signature.

#[cfg(feature = "keypair")]
pub mod bip39;
#[cfg(feature = "keypair")]
pub mod keypair;
pub mod sr25519;
#[cfg(feature = "keypair")]
pub mod sr25519_sign;
#[cfg(feature = "keypair")]
pub mod suri;

use crate::error::{err, ErrorCode, Result};
use crate::vara::address::AccountId;
use crate::vara::extrinsic::SignerPayloadJson;

/// The type byte polkadot-js puts before an sr25519 signature (`MultiSignature::Sr25519`).
pub const SR25519_TYPE_BYTE: u8 = 0x01;

/// What a signer hands back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOutcome {
    /// `0x01` + 64 signature bytes (MultiSignature encoding).
    pub signature: Vec<u8>,
    /// Hardware wallets sign with `CheckMetadataHash` enabled: the mode and metadata hash they
    /// used, to be copied into the transaction JSON.
    pub metadata_hash: Option<[u8; 32]>,
}

/// A signer of payment payloads. `signing_bytes` are the exact bytes to sign (already hashed
/// when over 256 bytes), for signers that hold the key; external signers may use `payload`.
#[allow(async_fn_in_trait)]
pub trait Signer {
    /// The account that pays (an sr25519 public key); an error when the key is gone (freed).
    fn account(&self) -> Result<AccountId>;
    async fn sign(&self, payload: &SignerPayloadJson, signing_bytes: &[u8]) -> Result<SignOutcome>;
}

/// Checks a `0x01` + 64-byte sr25519 MultiSignature over `message` by `signer`.
pub fn verify_multisignature(signer: &AccountId, message: &[u8], signature: &[u8]) -> Result<()> {
    if signature.len() != 65 || signature[0] != SR25519_TYPE_BYTE {
        return err(ErrorCode::InvalidSignature, "expected a 65-byte sr25519 signature (0x01 + 64 bytes)");
    }
    if !sr25519::verify(&signer.0, message, &signature[1..]) {
        return err(ErrorCode::InvalidSignature, "the signature does not verify for the payer's key");
    }
    Ok(())
}

#[cfg(all(test, feature = "keypair"))]
mod tests {
    use super::*;
    use crate::signer::keypair::Keypair;

    #[test]
    fn multisignatures_verify_only_for_their_signer_message_and_form() {
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
