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

    #[test]
    fn blake2_known_answers() {
        // From an independent implementation (CPython's hashlib.blake2b), over bytes i·7+3.
        let vectors = [
            (
                0,
                "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
                "cae66941d9efbd404e4d88758ea67670",
                "786a02f742015903c6c6fd852552d272",
            ),
            (
                1,
                "e88bd757ad5b9bedf372d8d3f0cf6c962a469db61a265f6418e1ffed86da29ec",
                "71b186b851e866e71be237342976049a",
                "4fe4da61bcc756071b226843361d7494",
            ),
            (
                128,
                "f0501d06597880592bc49234eef100ec1ff349058d0e9d9b753504e24af86dd6",
                "8e0cf9bb1b36fa6c42aa6490f719b575",
                "2d9e329f42afa3601d646692b81c13e8",
            ),
            (
                129,
                "a34a4e1e03c541dfbf3099c4b6c143c022ced65c28bd7e8a10e0a098461aecf0",
                "6cefde50e4008690e61cf8225d101256",
                "47889df9eb4d717afc5019df5c6a83df",
            ),
            (
                1000,
                "d62b6c768ce1afc8367e0498ab2f8e3f7c178c35b1429f14c4604b545d200f52",
                "add263669b4eb2158678a360fa6f007a",
                "4bdd2c9cf31d797a81d245c989ffb751",
            ),
        ];
        for (len, b256, b128, b512_head) in vectors {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            assert_eq!(hex::encode(blake2_256(&data)), b256, "{len}");
            assert_eq!(hex::encode(blake2_128(&data)), b128, "{len}");
            let (a, b) = data.split_at(len / 3);
            assert_eq!(hex::encode(&blake2_512_parts(&[a, b])[..16]), b512_head, "{len}");
        }
    }
}
