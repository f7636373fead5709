//! `0x`-prefixed hex, the way polkadot-js writes bytes and numbers in JSON.

use crate::error::{Error, ErrorCode, Result};

pub fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("0x");
    s.push_str(&hex::encode(bytes));
    s
}

fn strip(text: &str) -> Result<&str> {
    text.strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .ok_or_else(|| Error::new(ErrorCode::MalformedHeader, format!("expected 0x-prefixed hex, got {text:?}")))
}

pub fn decode(text: &str) -> Result<Vec<u8>> {
    hex::decode(strip(text)?).map_err(|_| Error::new(ErrorCode::MalformedHeader, format!("invalid hex {text:?}")))
}

pub fn decode_fixed<const N: usize>(text: &str) -> Result<[u8; N]> {
    let v = decode(text)?;
    v.try_into().map_err(|_| Error::new(ErrorCode::MalformedHeader, format!("expected {N} bytes of hex, got {text:?}")))
}

/// Big-endian, zero-padded to `width` bytes: polkadot-js's `toHex()` of a fixed-width integer.
pub fn encode_be(value: u128, width: usize) -> String {
    let bytes = value.to_be_bytes();
    encode(&bytes[16 - width..])
}

/// Reads a big-endian hex number (any width up to 16 bytes). Substrate nodes write numbers
/// without leading zeros ("0x0", "0x12d687"), so odd lengths are accepted.
pub fn decode_be(text: &str) -> Result<u128> {
    let digits = strip(text)?;
    let bytes = if digits.len() % 2 == 1 { decode(&format!("0x0{digits}"))? } else { decode(text)? };
    if bytes.len() > 16 {
        return Err(Error::new(ErrorCode::MalformedHeader, format!("number too wide: {text:?}")));
    }
    Ok(bytes.iter().fold(0u128, |acc, b| (acc << 8) | *b as u128))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_numbers_match_polkadot_js() {
        assert_eq!(encode_be(7, 4), "0x00000007");
        assert_eq!(encode_be(1000, 4), "0x000003e8");
        assert_eq!(decode_be("0x000003e8").unwrap(), 1000);
        assert_eq!(decode_be("0x").unwrap(), 0);
        assert_eq!(decode_be("0x0").unwrap(), 0);
        assert_eq!(decode_be("0x12d687").unwrap(), 1_234_567);
        assert_eq!(decode_be("0xabc").unwrap(), 0xabc);
        assert!(decode_be("0xg").is_err());
    }
}
