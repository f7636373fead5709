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
use rand_core::{CryptoRng, OsRng, RngCore};
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
        self.derive_soft_with(public, chain_code, &mut OsRng)
    }

    /// [`Self::derive_soft`] with the randomness from `rng` (schnorrkel's
    /// `derived_key_simple_rng`): the seam the tests compare byte for byte through.
    pub(crate) fn derive_soft_with<R: RngCore + CryptoRng>(
        &self,
        public: &[u8; 32],
        chain_code: &[u8; 32],
        rng: &mut R,
    ) -> Self {
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
        witness(&t, b"HDKD-nonce", &[&self.nonce, &*secret], &mut nonce, rng);
        SecretKey { key: self.key + tweak, nonce }
    }

    /// A 64-byte sr25519 signature under the Substrate context, by the key whose public key
    /// is `public`: `R = r·B` for a witness `r` (transcript, nonce seed, OS randomness),
    /// `s = k·key + r`, sent as `R ‖ s` with the top bit of `s` set (schnorrkel's marker).
    pub fn sign(&self, public: &[u8; 32], message: &[u8]) -> [u8; 64] {
        self.sign_with(public, message, &mut OsRng)
    }

    /// [`Self::sign`] with the randomness from `rng` (schnorrkel's `sign` under `attach_rng`).
    pub(crate) fn sign_with<R: RngCore + CryptoRng>(&self, public: &[u8; 32], message: &[u8], rng: &mut R) -> [u8; 64] {
        let mut t = transcript(public, message);
        let mut wide = Zeroizing::new([0u8; 64]);
        witness(&t, b"signing", &[&self.nonce], &mut *wide, rng);
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

/// schnorrkel's `witness_bytes_rng`: merlin's transcript RNG rekeyed with secret seeds and fed
/// 32 bytes from `rng` (the OS's in use: getrandom, the browser's or Node's crypto), so a
/// signature's nonce is safe even if one of the two sources fails.
fn witness<R: RngCore + CryptoRng>(t: &Transcript, label: &'static [u8], seeds: &[&[u8]], out: &mut [u8], rng: &mut R) {
    let mut builder = t.build_rng();
    for seed in seeds {
        builder = builder.rekey_with_witness_bytes(label, seed);
    }
    builder.finalize(rng).fill_bytes(out);
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

    /// A deterministic stand-in for the OS's randomness (SplitMix64), so that ours and
    /// schnorrkel, fed the same stream, must give the same bytes: comparing randomised
    /// signatures only by verifying them cannot see a weakened nonce.
    #[derive(Clone)]
    struct SameRng(u64);

    impl RngCore for SameRng {
        fn next_u32(&mut self) -> u32 {
            self.next_u64() as u32
        }
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let z = (self.0 ^ (self.0 >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            rand_core::impls::fill_bytes_via_next(self, dest)
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl CryptoRng for SameRng {}

    fn same_rng() -> SameRng {
        SameRng(u64::from_le_bytes(random()))
    }

    fn their_signature(key: &schnorrkel::SecretKey, message: &[u8], rng: SameRng) -> [u8; 64] {
        let t = schnorrkel::signing_context(b"substrate").bytes(message);
        key.sign(schnorrkel::context::attach_rng(t, rng), &key.to_public()).to_bytes()
    }

    #[test]
    fn signatures_match_schnorrkel_byte_for_byte_under_the_same_rng() {
        let lengths = (0..=600).step_by(2).chain([1, 31, 33, 255, 257, 599]);
        for (i, len) in lengths.enumerate() {
            let mini = if i == 0 { [0u8; 32] } else { random() };
            let (ours, theirs) = (SecretKey::from_mini_secret(&mini), theirs(&mini));
            let message: Vec<u8> = (0..len).map(|j| (i * 7 + j) as u8).collect();
            let rng = same_rng();
            let signature = ours.sign_with(&ours.public(), &message, &mut rng.clone());
            assert_eq!(signature, their_signature(&theirs, &message, rng.clone()), "key {i}, {len} bytes");
            assert_eq!(signature, ours.sign_with(&ours.public(), &message, &mut rng.clone()), "deterministic");
            let mut other = rng.clone();
            other.0 ^= 1;
            assert_ne!(signature, ours.sign_with(&ours.public(), &message, &mut other), "the RNG is used");
        }
    }

    #[test]
    fn derivation_paths_match_schnorrkel_byte_for_byte_under_the_same_rng() {
        for i in 0..200 {
            let mini = random();
            let (mut ours, mut theirs) = (SecretKey::from_mini_secret(&mini), theirs(&mini));
            let mut rng = same_rng();
            // 1 to 6 junctions, hard or soft by the bits of `i`'s path pattern.
            let steps = 1 + i % 6;
            for step in 0..steps {
                let cc: [u8; 32] = random();
                if (i >> step) & 1 == 1 || (i % 5 == 0 && step == 0) {
                    ours = ours.derive_hard(&cc);
                    theirs =
                        theirs.hard_derive_mini_secret_key(Some(ChainCode(cc)), b"").0.expand(ExpansionMode::Ed25519);
                } else {
                    let public = ours.public();
                    ours = ours.derive_soft_with(&public, &cc, &mut rng.clone());
                    theirs = theirs.derived_key_simple_rng(ChainCode(cc), [], rng.clone()).0;
                    rng.0 = rng.0.wrapping_add(1);
                }
                assert_eq!(ours.to_bytes(), theirs.to_bytes(), "path {i}, step {step}: key and nonce seed");
                assert_eq!(ours.public(), theirs.to_public().to_bytes());
            }
            let message = [i as u8; 40];
            let signature = ours.sign_with(&ours.public(), &message, &mut rng.clone());
            assert_eq!(signature, their_signature(&theirs, &message, rng), "path {i}: a derived key's signature");
        }
    }

    #[test]
    fn soft_derivation_with_the_os_rng_draws_a_fresh_nonce_seed() {
        let (mini, cc) = (random(), random());
        let (ours, theirs) = (SecretKey::from_mini_secret(&mini), theirs(&mini));
        let soft = ours.derive_soft(&ours.public(), &cc);
        let their_soft = theirs.derived_key_simple(ChainCode(cc), []).0;
        assert_eq!(soft.to_bytes()[..32], their_soft.to_bytes()[..32], "the scalar follows the public key");
        assert_ne!(soft.nonce, ours.derive_soft(&ours.public(), &cc).nonce, "fresh nonce seed");
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

    /// The group order l, little-endian.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];

    /// `a + b` as 256-bit little-endian numbers (no overflow for the sums used here).
    fn add(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
        let (mut sum, mut carry) = ([0u8; 32], 0u16);
        for i in 0..32 {
            let t = a[i] as u16 + b[i] as u16 + carry;
            sum[i] = t as u8;
            carry = t >> 8;
        }
        assert_eq!(carry, 0);
        sum
    }

    #[test]
    fn a_non_canonical_s_is_refused_though_it_verifies_modulo_l() {
        assert_eq!(Scalar::from_bytes_mod_order(L), Scalar::ZERO);
        for _ in 0..5 {
            let ours = SecretKey::from_mini_secret(&random());
            let public = ours.public();
            let signature = ours.sign(&public, b"m");
            let mut s: [u8; 32] = signature[32..].try_into().unwrap();
            s[31] &= 0x7f;
            // s + k·l < 2^255 for k up to 6 (s < l < 2^253): the marker bit stays free.
            let mut high = s;
            for k in 1..=6 {
                high = add(&high, &L);
                assert!(high[31] & 0x80 == 0);
                assert_eq!(Scalar::from_bytes_mod_order(high), Scalar::from_bytes_mod_order(s), "s + {k}·l ≡ s");
                let mut forged = signature;
                forged[32..].copy_from_slice(&high);
                forged[63] |= 0x80;
                assert!(!crate::signer::sr25519::verify(&public, b"m", &forged), "s + {k}·l accepted");
                assert!(schnorrkel::Signature::from_bytes(&forged).is_err(), "schnorrkel refuses s + {k}·l too");
            }
            assert!(crate::signer::sr25519::verify(&public, b"m", &signature));
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
        // Every bit at the ends of R and s (the marker, the top of s), one bit elsewhere.
        for byte in 0..64 {
            let bits = if [0, 31, 32, 63].contains(&byte) { 0..8 } else { byte % 8..byte % 8 + 1 };
            for bit in bits {
                let mut damaged = signature;
                damaged[byte] ^= 1 << bit;
                assert!(!check(&public, &damaged), "byte {byte} bit {bit}");
            }
        }
        for _ in 0..60 {
            check(&random(), &random::<64>());
            check(&public, &random::<64>());
        }
        assert!(!crate::signer::sr25519::verify(&public, b"m", &signature[..63]));
        assert!(!check(&[0xff; 32], &signature));
    }
}
