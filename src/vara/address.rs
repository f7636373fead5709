//! Account ids: SS58 (any prefix on input, Vara's 137 on output) and 0x-hex public keys.

use crate::error::{err, ErrorCode, Result};
use crate::vara::hashing::blake2_512_parts;
use core::fmt;

/// Vara's SS58 address format.
pub const VARA_SS58_PREFIX: u16 = 137;

/// A 32-byte account id (an sr25519 or ed25519 public key, blake2-256 of an ecdsa key, or a
/// program id).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub [u8; 32]);

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.to_hex())
    }
}

impl AccountId {
    /// Accepts an SS58 address (checksum verified) or a `0x`-prefixed 32-byte hex key.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.starts_with("0x") || text.starts_with("0X") {
            return Self::from_hex(text);
        }
        ss58_decode(text).map(|(id, _)| id)
    }

    /// A `0x`-prefixed 32-byte hex key only (program ids, `asset`).
    pub fn from_hex(text: &str) -> Result<Self> {
        let bytes = crate::hexutil::decode_fixed::<32>(text).map_err(|_| {
            crate::error::Error::new(ErrorCode::InvalidAddress, format!("not a 32-byte hex key: {text:?}"))
        })?;
        Ok(AccountId(bytes))
    }

    pub fn to_hex(&self) -> String {
        crate::hexutil::encode(&self.0)
    }

    pub fn to_ss58(&self, prefix: u16) -> String {
        ss58_encode(&self.0, prefix)
    }
}

const SS58_CONTEXT: &[u8] = b"SS58PRE";

fn prefix_bytes(prefix: u16) -> Vec<u8> {
    if prefix < 64 {
        vec![prefix as u8]
    } else {
        // Two-byte form (prefixes 64..16383), as specified by the SS58 registry.
        let first = ((prefix & 0b0000_0000_1111_1100) as u8) >> 2;
        let second = ((prefix >> 8) as u8) | (((prefix & 0b0000_0000_0000_0011) as u8) << 6);
        vec![first | 0b0100_0000, second]
    }
}

pub fn ss58_encode(key: &[u8; 32], prefix: u16) -> String {
    let mut data = prefix_bytes(prefix);
    data.extend_from_slice(key);
    let hash = blake2_512_parts(&[SS58_CONTEXT, &data]);
    data.extend_from_slice(&hash[..2]);
    bs58::encode(data).into_string()
}

/// Decodes a 32-byte-account SS58 address; returns the key and its network prefix.
pub fn ss58_decode(text: &str) -> Result<(AccountId, u16)> {
    let invalid = |why: &str| err(ErrorCode::InvalidAddress, format!("invalid SS58 address {text:?}: {why}"));
    let data = match bs58::decode(text).into_vec() {
        Ok(d) => d,
        Err(_) => return invalid("not base58"),
    };
    let (prefix, prefix_len) = match data.first() {
        Some(&b) if b < 64 => (b as u16, 1),
        Some(&b) if b < 128 && data.len() > 1 => {
            let lower = ((b << 2) | (data[1] >> 6)) as u16;
            let upper = (data[1] & 0b0011_1111) as u16;
            (lower | (upper << 8), 2)
        }
        _ => return invalid("reserved prefix"),
    };
    if data.len() != prefix_len + 32 + 2 {
        return invalid("not a 32-byte account");
    }
    let body = &data[..prefix_len + 32];
    let hash = blake2_512_parts(&[SS58_CONTEXT, body]);
    if hash[..2] != data[prefix_len + 32..] {
        return invalid("bad checksum");
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(&body[prefix_len..]);
    Ok((AccountId(key), prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    // //Alice's public key, the best-known test vector of Substrate.
    const ALICE: &str = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

    #[test]
    fn encodes_alice_with_vara_and_generic_prefixes() {
        let alice = AccountId::from_hex(ALICE).unwrap();
        assert_eq!(alice.to_ss58(42), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
        assert_eq!(alice.to_ss58(137), "kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW");
    }

    #[test]
    fn every_prefix_form_matches_polkadot_js() {
        // @polkadot/util-crypto 14.0.3 `encodeAddress(alice, prefix)`: the one-byte form up to
        // 63, the two-byte form from 64, with the prefix's high byte from 256 on.
        let alice = AccountId::from_hex(ALICE).unwrap();
        for (prefix, address) in [
            (0, "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"),
            (63, "7NPoMQbiA6trJKkjB35uk96MeJD4PGWkLQLH7k7hXEkZpiba"),
            (64, "cEaNSpz4PxFcZ7nT1VEKrKewH67rfx6MfcM6yKojyyPz7qaqp"),
            (255, "yGHXkYLYqxijLKKfd9Q2CB9shRVu8rPNBS53wvwGTutYg4zTg"),
            (256, "VByeGLMtP8r8BYQpNX1sb2VtAW8GYCbtFAeXJwsA2ur3MNRdq"),
            (1000, "vji5kpxBaPKwct6PAdHiJUPCU1hqBEAPaLMF59sXAjn4NeEaJ"),
            (16383, "yNa8JpqfFB3q8A29rCwSgxvdU94ufJw2yKKxDgznS5m1PoFvn"),
        ] {
            assert_eq!(alice.to_ss58(prefix), address, "{prefix}");
            assert_eq!(ss58_decode(address).unwrap(), (alice, prefix), "{prefix}");
        }
        assert_eq!(alice.to_hex(), ALICE);
        assert_eq!(format!("{alice:?}"), format!("AccountId({ALICE})"));
    }

    #[test]
    fn decodes_any_prefix_and_hex() {
        let alice = AccountId::from_hex(ALICE).unwrap();
        let (id, prefix) = ss58_decode("kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW").unwrap();
        assert_eq!((id, prefix), (alice, 137));
        assert_eq!(AccountId::parse("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").unwrap(), alice);
        assert_eq!(AccountId::parse(ALICE).unwrap(), alice);
    }

    #[test]
    fn rejects_bad_addresses() {
        for bad in [
            "",
            "kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotX", // checksum
            "not base58 0OIl",
            "0x1234",
            "0xzz3593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGK", // truncated
        ] {
            let e = AccountId::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidAddress, "{bad}");
        }
    }

    /// Base58 of `head`, a key and a correct checksum: only the prefix bytes can be wrong.
    fn with_checksum(head: &[u8]) -> String {
        let mut data = head.to_vec();
        data.extend_from_slice(&[7; 32]);
        let hash = blake2_512_parts(&[SS58_CONTEXT, &data]);
        data.extend_from_slice(&hash[..2]);
        bs58::encode(data).into_string()
    }

    #[test]
    fn reserved_and_truncated_prefixes_are_refused() {
        // A first byte of 128 or more is reserved, whatever follows and however well summed.
        for head in [[0x80u8, 0x00], [0xff, 0x3f], [0xc0, 0x01]] {
            let e = ss58_decode(&with_checksum(&head)).unwrap_err();
            assert!(e.message.contains("reserved prefix"), "{head:02x?}: {e}");
        }
        // A two-byte prefix's first byte alone: refused, never read past the end.
        let e = ss58_decode(&bs58::encode([0x40u8]).into_string()).unwrap_err();
        assert!(e.message.contains("reserved prefix"), "{e}");
        // The last two-byte prefix (16383) still decodes.
        assert_eq!(ss58_decode(&with_checksum(&prefix_bytes(16_383))).unwrap().1, 16_383);
    }
}
