//! sr25519 verification under Substrate's signing context: all the payment client needs of
//! the curve (signing lives in [`super::keypair`], in its own wasm module).

use schnorrkel::{PublicKey, Signature};

/// The context string of every Substrate sr25519 signature.
pub const SIGNING_CONTEXT: &[u8] = b"substrate";

/// Verifies a 64-byte sr25519 signature under the Substrate context.
pub fn verify(public: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    let (Ok(public), Ok(signature)) = (PublicKey::from_bytes(public), Signature::from_bytes(signature)) else {
        return false;
    };
    public.verify_simple(SIGNING_CONTEXT, message, &signature).is_ok()
}
