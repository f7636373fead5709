//! ed25519 verification (`MultiSignature::Ed25519`): the account id is the public key itself.
//! What Ledger accounts sign with in Polkadot{.js}, Talisman and SubWallet.
//!
//! ed25519-dalek on the curve25519-dalek the sr25519 verifier already links; without its
//! `fast` feature it links no precomputed tables (docs/size.md has the cost in bytes).

use ed25519_dalek::{Signature, VerifyingKey};

/// Verifies a 64-byte ed25519 signature of `message` by `public`. Substrate's runtime checks
/// with ed25519-zebra (ZIP-215), which accepts every signature this accepts.
pub fn verify(public: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    let Ok(signature) = <&[u8; 64]>::try_from(signature) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(public) else {
        return false;
    };
    key.verify_strict(message, &Signature::from_bytes(signature)).is_ok()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use sp_core::Pair as _;

    #[test]
    fn agrees_with_substrate() {
        let pair = sp_core::ed25519::Pair::from_string("//Alice", None).unwrap();
        let public = pair.public().0;
        for message in [&b""[..], b"x402", &[7u8; 300]] {
            let signature = pair.sign(message).0;
            assert!(verify(&public, message, &signature));
            let mut bad = signature;
            bad[10] ^= 1;
            assert!(!verify(&public, message, &bad));
            assert!(!verify(&public, b"another message", &signature));
        }
        // Another key, a short signature, and bytes that are no point on the curve.
        let bob = sp_core::ed25519::Pair::from_string("//Bob", None).unwrap().public().0;
        assert!(!verify(&bob, b"x402", &pair.sign(b"x402").0));
        assert!(!verify(&public, b"x402", &pair.sign(b"x402").0[..63]));
        assert!(!verify(&[0xff; 32], b"x402", &pair.sign(b"x402").0));
    }
}
