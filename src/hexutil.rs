//! `0x`-prefixed hex, the way polkadot-js writes bytes and numbers in JSON. Errors never show
//! the text: a caller may decode a secret (a seed) with these, and an error that is made and
//! then dropped would still leave a copy of it in memory nobody wipes.

use crate::error::{Error, ErrorCode, Result};

pub fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("0x");
    s.push_str(&hex::encode(bytes));
    s
}

fn strip(text: &str) -> Result<&str> {
    text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).ok_or_else(|| {
        malformed(format!("expected 0x-prefixed hex, got {} characters not starting with 0x", text.len()))
    })
}

fn malformed(message: String) -> Error {
    Error::new(ErrorCode::MalformedHeader, message)
}

pub fn decode(text: &str) -> Result<Vec<u8>> {
    let digits = strip(text)?;
    hex::decode(digits).map_err(|e| match e {
        hex::FromHexError::InvalidHexCharacter { index, .. } => {
            malformed(format!("invalid hex: not a hex digit at character {}", index + 2))
        }
        _ => malformed(format!("invalid hex: an odd number of digits ({})", digits.len())),
    })
}

pub fn decode_fixed<const N: usize>(text: &str) -> Result<[u8; N]> {
    let v = decode(text)?;
    let len = v.len();
    v.try_into().map_err(|_| malformed(format!("expected {N} bytes of hex, got {len}")))
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
        return Err(malformed(format!("number too wide: {} bytes", bytes.len())));
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
        // Up to 16 bytes, a u128.
        assert_eq!(decode_be(&format!("0x{}", "ff".repeat(16))).unwrap(), u128::MAX);
        assert_eq!(decode_be(&format!("0x1{}", "00".repeat(15))).unwrap(), 1 << 120);
        assert!(decode_be(&format!("0x1{}", "00".repeat(16))).is_err());
    }

    #[test]
    fn errors_never_show_the_text() {
        let secret = "5eed5eed5eed";
        for bad in
            [secret.to_string(), format!("0x{secret}g"), format!("0x{secret}1"), format!("0x{}", "ab".repeat(17))]
        {
            let e = decode(&bad).and_then(|_| decode_fixed::<32>(&bad).map(|_| Vec::<u8>::new())).unwrap_err();
            assert_eq!(e.code, ErrorCode::MalformedHeader);
            assert!(!e.message.contains(secret) && !e.message.contains("abab"), "{}", e.message);
        }
        assert_eq!(decode("0x12g4").unwrap_err().message, "invalid hex: not a hex digit at character 4");
        assert_eq!(
            decode("12").unwrap_err().message,
            "expected 0x-prefixed hex, got 2 characters not starting with 0x"
        );
        assert_eq!(decode_fixed::<2>("0x12").unwrap_err().message, "expected 2 bytes of hex, got 1");
        assert!(!decode_be(&format!("0x{}", "ab".repeat(17))).unwrap_err().message.contains("abab"));
    }
}
