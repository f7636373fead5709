//! sr25519 verification under Substrate's signing context: all the payment client needs of
//! the curve (signing lives in [`super::sr25519_sign`], in the key's own wasm module).
//!
//! sr25519 is schnorrkel's Schnorr signature over ristretto255, with the challenge drawn from
//! a merlin transcript. This is schnorrkel 0.11's `verify_simple`, written on
//! curve25519-dalek and merlin directly so that neither wasm module carries schnorrkel or the
//! precomputed basepoint tables it forces on (the native tests check it against schnorrkel).

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;

/// The context string of every Substrate sr25519 signature.
pub const SIGNING_CONTEXT: &[u8] = b"substrate";

/// The transcript a signature over `message` starts from (schnorrkel's
/// `signing_context(b"substrate").bytes(message)`), with the signer's public key committed
/// (the first steps of schnorrkel's `sign` and `verify`).
pub(crate) fn transcript(public: &[u8; 32], message: &[u8]) -> Transcript {
    let mut t = Transcript::new(b"SigningContext");
    t.append_message(b"", SIGNING_CONTEXT);
    t.append_message(b"sign-bytes", message);
    t.append_message(b"proto-name", b"Schnorr-sig");
    t.append_message(b"sign:pk", public);
    t
}

/// The challenge scalar `k`, after committing the nonce point `R`.
pub(crate) fn challenge(t: &mut Transcript, r: &[u8; 32]) -> Scalar {
    t.append_message(b"sign:R", r);
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"sign:c", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// Verifies a 64-byte sr25519 signature (`R ‖ s`, the top bit of `s` set as schnorrkel marks
/// it) under the Substrate context: `s·B − k·A == R`.
pub fn verify(public: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    let Ok(signature) = <&[u8; 64]>::try_from(signature) else {
        return false;
    };
    let (r, s) = signature.split_at(32);
    let r: [u8; 32] = r.try_into().expect("32 bytes");
    let mut s: [u8; 32] = s.try_into().expect("32 bytes");
    if s[31] & 0x80 == 0 {
        return false; // not marked as a schnorrkel signature (an ed25519 one, say)
    }
    s[31] &= 0x7f;
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
        return false;
    };
    let Some(a) = CompressedRistretto(*public).decompress() else {
        return false;
    };
    let k = challenge(&mut transcript(public, message), &r);
    RistrettoPoint::vartime_double_scalar_mul_basepoint(&k, &(-a), &s).compress().0 == r
}
