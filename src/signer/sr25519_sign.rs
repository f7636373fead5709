//! The secret half of sr25519 as Substrate uses it (schnorrkel 0.11, written here on
//! curve25519-dalek, merlin and sha2): a 32-byte mini secret expanded the Ed25519 way, hard and
//! soft derivation (`//hard`, `/soft`), and signing under the "substrate" context.
//!
//! The basepoint is multiplied with curve25519-dalek's table built at run time, not its static
//! copy (30 KB of wasm data): see [`mul_base`]. The native tests check every step against
//! schnorrkel, and the key as a whole against substrate-bip39 and sp-core (tests/keys.rs).

use super::sr25519::{challenge, transcript};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha512};
use std::sync::OnceLock;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// `k·B` in constant time, with curve25519-dalek's own basepoint table (radix 16, 30 KB)
/// built on first use: linked as static data it would be 30 KB of wasm, and without a table
/// `RistrettoPoint::mul_base` made build + sign 0.87–0.91 ms instead of about 0.7.
fn mul_base(k: &Scalar) -> RistrettoPoint {
    static TABLE: OnceLock<Box<RistrettoBasepointTable>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Box::new(RistrettoBasepointTable::create(&RISTRETTO_BASEPOINT_POINT)));
    &**table * k
}

/// An expanded secret: the scalar `key` and the `nonce` seed mixed into every signature's
/// randomness. Wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey {
    key: Scalar,
    nonce: [u8; 32],
}

impl SecretKey {
    /// schnorrkel's `MiniSecretKey::expand(ExpansionMode::Ed25519)`: SHA-512 of the mini
    /// secret; the first half clamped as Ed25519 does, then divided by the cofactor 8 (so the
    /// scalar is below 2^252, already reduced); the second half is the nonce seed.
    pub fn from_mini_secret(mini: &[u8; 32]) -> Self {
        let mut hash = Zeroizing::new([0u8; 64]);
        Sha512::new_with_prefix(mini).finalize_into((&mut hash[..]).into());
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&hash[..32]);
        key[0] &= 248;
        key[31] &= 63;
        key[31] |= 64;
        // Divide by 8: shift the 256-bit little-endian number right by 3 bits.
        let mut carry = 0u8;
        for byte in key.iter_mut().rev() {
            let low = *byte & 7;
            *byte = (*byte >> 3) | carry;
            carry = low << 5;
        }
        let mut nonce = [0u8; 32];
        nonce.copy_from_slice(&hash[32..]);
        SecretKey { key: Scalar::from_bytes_mod_order(*key), nonce }
    }

    /// The compressed ristretto public key `key·B`.
    pub fn public(&self) -> [u8; 32] {
        mul_base(&self.key).compress().0
    }

    /// `//junction`: schnorrkel's `hard_derive_mini_secret_key(Some(chain_code), b"")`, then
    /// expanded again. The new mini secret is a merlin challenge over the chain code and the
    /// secret scalar.
    pub fn derive_hard(&self, chain_code: &[u8; 32]) -> Self {
        let mut t = hdkd_transcript(chain_code);
        t.append_message(b"secret-key", self.key.as_bytes());
        let mut mini = Zeroizing::new([0u8; 32]);
        t.challenge_bytes(b"HDKD-hard", &mut *mini);
        Self::from_mini_secret(&mini)
    }

    /// `/junction`: schnorrkel's `derived_key_simple(chain_code, [])`. The scalar grows by a
    /// merlin challenge over the chain code and the public key (so the public key alone can
    /// follow); the nonce seed is drawn afresh from the transcript, the old secret and the OS.
    pub fn derive_soft(&self, public: &[u8; 32], chain_code: &[u8; 32]) -> Self {
        let mut t = hdkd_transcript(chain_code);
        t.append_message(b"public-key", public);
        let mut wide = Zeroizing::new([0u8; 64]);
        t.challenge_bytes(b"HDKD-scalar", &mut *wide);
        let tweak = Scalar::from_bytes_mod_order_wide(&wide);
        let mut next_chain_code = [0u8; 32]; // drawn as schnorrkel does, then unused
        t.challenge_bytes(b"HDKD-chaincode", &mut next_chain_code);
        let mut secret = Zeroizing::new([0u8; 64]);
        secret[..32].copy_from_slice(self.key.as_bytes());
        secret[32..].copy_from_slice(&self.nonce);
        let mut nonce = [0u8; 32];
        witness(&t, b"HDKD-nonce", &[&self.nonce, &*secret], &mut nonce);
        SecretKey { key: self.key + tweak, nonce }
    }

    /// A 64-byte sr25519 signature under the Substrate context, by the key whose public key
    /// is `public`: `R = r·B` for a witness `r` (transcript, nonce seed, OS randomness),
    /// `s = k·key + r`, sent as `R ‖ s` with the top bit of `s` set (schnorrkel's marker).
    pub fn sign(&self, public: &[u8; 32], message: &[u8]) -> [u8; 64] {
        let mut t = transcript(public, message);
        let mut wide = Zeroizing::new([0u8; 64]);
        witness(&t, b"signing", &[&self.nonce], &mut *wide);
        let mut r = Scalar::from_bytes_mod_order_wide(&wide);
        let big_r = mul_base(&r).compress().0;
        let k = challenge(&mut t, &big_r);
        let s = k * self.key + r;
        r.zeroize();
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(&big_r);
        signature[32..].copy_from_slice(s.as_bytes());
        signature[63] |= 0x80;
        signature
    }
}

/// The transcript both derivations start from (the empty extra input of `derived_key_simple`).
fn hdkd_transcript(chain_code: &[u8; 32]) -> Transcript {
    let mut t = Transcript::new(b"SchnorrRistrettoHDKD");
    t.append_message(b"sign-bytes", b"");
    t.append_message(b"chain-code", chain_code);
    t
}

/// schnorrkel's `witness_bytes`: merlin's transcript RNG rekeyed with secret seeds and fed
/// 32 bytes from the OS (getrandom: the browser's or Node's crypto), so a signature's nonce
/// is safe even if one of the two sources fails.
fn witness(t: &Transcript, label: &'static [u8], seeds: &[&[u8]], out: &mut [u8]) {
    let mut builder = t.build_rng();
    for seed in seeds {
        builder = builder.rekey_with_witness_bytes(label, seed);
    }
    builder.finalize(&mut OsRng).fill_bytes(out);
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    //! Each step against schnorrkel 0.11, which Substrate uses (a native dev-dependency).
    use super::*;
    use schnorrkel::derive::{ChainCode, Derivation};
    use schnorrkel::{ExpansionMode, MiniSecretKey};

    impl SecretKey {
        fn to_bytes(&self) -> [u8; 64] {
            let mut bytes = [0u8; 64];
            bytes[..32].copy_from_slice(self.key.as_bytes());
            bytes[32..].copy_from_slice(&self.nonce);
            bytes
        }
    }

    fn random<const N: usize>() -> [u8; N] {
        let mut bytes = [0u8; N];
        getrandom::getrandom(&mut bytes).unwrap();
        bytes
    }

    fn theirs(mini: &[u8; 32]) -> schnorrkel::SecretKey {
        MiniSecretKey::from_bytes(mini).unwrap().expand(ExpansionMode::Ed25519)
    }

    #[test]
    fn mul_base_matches_curve25519_dalek() {
        let edges = [Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(8u8), -Scalar::from(8u8)];
        let randoms = (0..300).map(|_| Scalar::from_bytes_mod_order_wide(&random()));
        let digits = (0..16u8).map(|d| Scalar::from_bytes_mod_order([d * 0x11; 32]));
        for k in edges.into_iter().chain(randoms).chain(digits) {
            assert_eq!(mul_base(&k).compress(), RistrettoPoint::mul_base(&k).compress(), "{k:?}");
        }
    }

    #[test]
    fn expansion_and_public_keys_match_schnorrkel() {
        for mini in [[0u8; 32], [0xff; 32], [1; 32]].into_iter().chain((0..200).map(|_| random())) {
            let (ours, theirs) = (SecretKey::from_mini_secret(&mini), theirs(&mini));
            assert_eq!(ours.to_bytes(), theirs.to_bytes());
            assert_eq!(ours.public(), theirs.to_public().to_bytes());
        }
    }

    #[test]
    fn derivations_match_schnorrkel() {
        for _ in 0..50 {
            let (mini, cc) = (random(), random());
            let (ours, theirs) = (SecretKey::from_mini_secret(&mini), theirs(&mini));
            let hard = ours.derive_hard(&cc);
            let their_hard =
                theirs.hard_derive_mini_secret_key(Some(ChainCode(cc)), b"").0.expand(ExpansionMode::Ed25519);
            assert_eq!(hard.to_bytes(), their_hard.to_bytes());
            // Soft: the scalar and so the public key match; the nonce seed is random in both.
            let soft = ours.derive_soft(&ours.public(), &cc);
            let their_soft = theirs.derived_key_simple(ChainCode(cc), []).0;
            assert_eq!(soft.to_bytes()[..32], their_soft.to_bytes()[..32]);
            assert_eq!(soft.public(), their_soft.to_public().to_bytes());
            assert_ne!(soft.nonce, ours.derive_soft(&ours.public(), &cc).nonce, "fresh nonce seed");
        }
    }

    #[test]
    fn signatures_verify_with_schnorrkel_and_ours_with_theirs() {
        for len in [0, 1, 32, 256, 1000] {
            let (mini, message) = (random::<32>(), vec![7u8; len]);
            let (ours, theirs) = (SecretKey::from_mini_secret(&mini), theirs(&mini).to_keypair());
            let public = ours.public();
            let signature = ours.sign(&public, &message);
            assert_ne!(signature, ours.sign(&public, &message), "randomized");
            let parsed = schnorrkel::Signature::from_bytes(&signature).unwrap();
            assert!(theirs.public.verify_simple(b"substrate", &message, &parsed).is_ok());
            assert!(theirs.public.verify_simple(b"substrate", b"other", &parsed).is_err());
            assert!(theirs.public.verify_simple(b"polkadot", &message, &parsed).is_err());
            let their_signature = theirs.sign_simple(b"substrate", &message).to_bytes();
            assert!(crate::signer::sr25519::verify(&public, &message, &their_signature));
            assert!(crate::signer::sr25519::verify(&public, &message, &signature));
        }
    }

    #[test]
    fn verification_agrees_with_schnorrkel_on_damaged_signatures() {
        let ours = SecretKey::from_mini_secret(&random());
        let public = ours.public();
        let signature = ours.sign(&public, b"m");
        let check = |public: &[u8; 32], signature: &[u8]| {
            let expected =
                match (schnorrkel::PublicKey::from_bytes(public), schnorrkel::Signature::from_bytes(signature)) {
                    (Ok(p), Ok(s)) => p.verify_simple(b"substrate", b"m", &s).is_ok(),
                    _ => false,
                };
            assert_eq!(crate::signer::sr25519::verify(public, b"m", signature), expected);
            expected
        };
        assert!(check(&public, &signature));
        for byte in 0..64 {
            for bit in 0..8 {
                let mut damaged = signature;
                damaged[byte] ^= 1 << bit;
                assert!(!check(&public, &damaged), "byte {byte} bit {bit}");
            }
        }
        let mut high_s = signature; // s + l: not canonical, refused by both
        high_s[63] |= 0x70;
        assert!(!check(&public, &high_s));
        for _ in 0..200 {
            check(&random(), &random::<64>());
            check(&public, &random::<64>());
        }
        assert!(!crate::signer::sr25519::verify(&public, b"m", &signature[..63]));
        assert!(!check(&[0xff; 32], &signature));
    }
}
