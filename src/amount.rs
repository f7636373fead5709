//! Amounts in an asset's smallest unit. Native VARA balances are u128 on chain; Sails VFT
//! values are U256, so one type holds both and the native path checks the narrower bound.

use crate::error::{err, ErrorCode, Result};
pub use primitive_types::U256;

/// Parses a plain decimal integer string ("1000000000000"): no sign, no exponent, no spaces.
pub fn parse_decimal(text: &str, field: &str) -> Result<U256> {
    if text.is_empty() || text.len() > 78 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return err(ErrorCode::Malformed402, format!("{field} must be a decimal integer string, got {text:?}"));
    }
    U256::from_dec_str(text).or_else(|_| err(ErrorCode::Malformed402, format!("{field} is beyond 256 bits: {text:?}")))
}

/// Narrows to a native balance (u128), or explains why it cannot be one.
pub fn to_u128(value: U256, field: &str) -> Result<u128> {
    if value > U256::from(u128::MAX) {
        return err(ErrorCode::Malformed402, format!("{field} is beyond u128 for a native VARA amount"));
    }
    Ok(value.as_u128())
}

/// Formats `value` with `decimals` decimals, trimming trailing zeros ("0.1", "12").
pub fn format_units(value: U256, decimals: u8) -> String {
    let digits = value.to_string();
    let decimals = decimals as usize;
    if decimals == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = decimals + 1);
    let (int, frac) = padded.split_at(padded.len() - decimals);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_strings_strictly() {
        assert_eq!(parse_decimal("1000000000000", "x").unwrap(), U256::from(1_000_000_000_000u64));
        assert_eq!(parse_decimal("0", "x").unwrap(), U256::zero());
        for bad in ["", "-1", "+1", "1e12", "0x10", " 1", "1.5", "１"] {
            assert_eq!(parse_decimal(bad, "x").unwrap_err().code, ErrorCode::Malformed402, "{bad:?}");
        }
        let too_big = "2".repeat(78); // above 2^256 ≈ 1.16e77
        assert_eq!(parse_decimal(&too_big, "x").unwrap_err().code, ErrorCode::Malformed402);
    }

    #[test]
    fn native_amounts_fit_u128() {
        let max = U256::from(u128::MAX);
        assert_eq!(to_u128(max, "x").unwrap(), u128::MAX);
        assert!(to_u128(max + 1, "x").is_err());
    }

    #[test]
    fn formats_units() {
        assert_eq!(format_units(U256::from(100_000_000_000u64), 12), "0.1");
        assert_eq!(format_units(U256::from(12_000_000_000_000u64), 12), "12");
        assert_eq!(format_units(U256::from(1u8), 6), "0.000001");
    }
}
