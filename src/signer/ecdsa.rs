//! secp256k1 ECDSA verification (`MultiSignature::Ecdsa`) as the runtime does it: the 65-byte
//! signature `r ‖ s ‖ v` is over blake2-256 of the message; the key is recovered from it, and
//! the account id is blake2-256 of the 33-byte compressed key. So an account id alone (no
//! public key) is enough to check a signature.
//!
//! k256 (RustCrypto), the maintained pure-Rust secp256k1; docs/size.md has its cost in bytes.

use crate::vara::hashing::blake2_256;
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

/// The account id of a compressed secp256k1 public key.
pub fn account_id(compressed: &[u8; 33]) -> [u8; 32] {
    blake2_256(compressed)
}

/// The compressed public key that made a 65-byte recoverable signature of `message`, if any.
pub fn recover(message: &[u8], signature: &[u8]) -> Option<[u8; 33]> {
    let signature = <&[u8; 65]>::try_from(signature).ok()?;
    // `v` is 0/1, or 27/28 as Ethereum tooling writes it (the runtime takes both).
    let v = match signature[64] {
        v @ 0..=1 => v,
        v @ 27..=28 => v - 27,
        _ => return None,
    };
    let mut sig = Signature::from_slice(&signature[..64]).ok()?;
    let mut id = RecoveryId::from_byte(v)?;
    // k256 verifies low-s only; the runtime's libsecp256k1 recovers either. Negating s and
    // flipping the parity of R's y recovers the same key.
    if let Some(low) = sig.normalize_s() {
        sig = low;
        id = RecoveryId::new(!id.is_y_odd(), id.is_x_reduced());
    }
    let key = VerifyingKey::recover_from_prehash(&blake2_256(message), &sig, id).ok()?;
    key.to_encoded_point(true).as_bytes().try_into().ok()
}

/// Verifies a 65-byte ECDSA signature of `message` by the account `account` (blake2-256 of
/// the signer's compressed key).
pub fn verify(account: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    recover(message, signature).is_some_and(|key| account_id(&key) == *account)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use sp_core::Pair as _;

    /// sp-runtime's `MultiSigner::Ecdsa(public).into_account()`: blake2-256 of the compressed key.
    fn account_of(public: &sp_core::ecdsa::Public) -> [u8; 32] {
        crate::vara::hashing::blake2_256(public.as_ref())
    }

    #[test]
    fn agrees_with_substrate() {
        let pair = sp_core::ecdsa::Pair::from_string("//Alice", None).unwrap();
        let account = account_of(&pair.public());
        assert_eq!(account_id(&pair.public().0), account);
        for message in [&b""[..], b"x402", &[7u8; 300]] {
            let signature = pair.sign(message).0; // blake2-256 of the message, r ‖ s ‖ v
            assert_eq!(recover(message, &signature), Some(pair.public().0));
            assert!(verify(&account, message, &signature));
            let mut bad = signature;
            bad[10] ^= 1;
            assert!(!verify(&account, message, &bad));
            assert!(!verify(&account, b"another message", &signature));
            let mut eth = signature;
            eth[64] += 27;
            assert!(verify(&account, message, &eth));
        }
        let bob = account_of(&sp_core::ecdsa::Pair::from_string("//Bob", None).unwrap().public());
        assert!(!verify(&bob, b"x402", &pair.sign(b"x402").0));
        assert!(!verify(&account, b"x402", &pair.sign(b"x402").0[..64]));
    }

    #[test]
    fn a_high_s_signature_recovers_the_same_key() {
        let pair = sp_core::ecdsa::Pair::from_string("//Alice", None).unwrap();
        let mut signature = pair.sign(b"x402").0;
        let sig = Signature::from_slice(&signature[..64]).unwrap();
        let (r, s) = sig.split_scalars();
        let high = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
        signature[..64].copy_from_slice(&high.to_bytes());
        signature[64] ^= 1;
        assert_eq!(recover(b"x402", &signature), Some(pair.public().0));
    }
}
