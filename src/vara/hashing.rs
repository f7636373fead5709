//! The two hashes Substrate uses on the client side.

use blake2::digest::{consts::U32, Digest};

pub type Blake2b256 = blake2::Blake2b<U32>;

pub fn blake2_256(data: &[u8]) -> [u8; 32] {
    Blake2b256::digest(data).into()
}

/// blake2b-512 over several parts without concatenating them (SS58 checksum).
pub fn blake2_512_parts(parts: &[&[u8]]) -> [u8; 64] {
    let mut h = blake2::Blake2b512::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

pub fn blake2_128(data: &[u8]) -> [u8; 16] {
    blake2::Blake2b::<blake2::digest::consts::U16>::digest(data).into()
}

/// Substrate's `twox_128`: two xxHash64 rounds with seeds 0 and 1, little-endian.
pub fn twox_128(data: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&twox_hash::XxHash64::oneshot(0, data).to_le_bytes());
    out[8..].copy_from_slice(&twox_hash::XxHash64::oneshot(1, data).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_prefix_of_system_account() {
        // The well-known key prefix of `System.Account` on every Substrate chain.
        let mut key = twox_128(b"System").to_vec();
        key.extend_from_slice(&twox_128(b"Account"));
        assert_eq!(hex::encode(key), "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9");
    }
}
