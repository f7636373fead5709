//! One pass over JSON text before either parser sees it (the same code in wasm and natively),
//! refusing what would otherwise read differently on the two paths: nesting too deep for the
//! recursive walks, numbers a JavaScript number cannot hold, strings that are not Unicode. It
//! looks at every token, also those `JSON.parse` drops (the earlier of two equal keys), which
//! serde_json still reads and refuses. The text need not be valid JSON: what is not is left
//! to the parser.

use super::value::NOT_EXACT;

/// The smallest magnitude a float rounds to 2^53 or more from (2^53 − ½, ties to even):
/// its digits and the place of the decimal point (`9007199254740991.5`).
const LIMIT_DIGITS: &[u8] = b"90071992547409915";
const LIMIT_POINT: i64 = 16;

const LONE_SURROGATE: &str = "a string with a lone surrogate (\\ud800 to \\udfff unpaired), which is not Unicode text";

/// Checks `text`; the error is a message for people.
pub(super) fn check(text: &str, max_nesting: usize) -> Result<(), String> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = string_end(bytes, i + 1)?,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_nesting {
                    return Err(format!("JSON nested deeper than {max_nesting} levels"));
                }
                i += 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = bytes[i..].iter().position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'));
                let end = end.map_or(bytes.len(), |n| i + n);
                if beyond_exact(&bytes[i..end]) {
                    return Err(NOT_EXACT.to_string());
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// The index after the string starting at `i` (after its quote), or the end of the text;
/// refuses an escaped surrogate that is not half of a pair (`\ud83d\ude00` is one character).
fn string_end(bytes: &[u8], mut i: usize) -> Result<usize, String> {
    let mut pending_high = false; // the previous escape was a high surrogate
    while i < bytes.len() {
        match bytes[i] {
            b'"' if !pending_high => return Ok(i + 1),
            b'\\' if bytes.get(i + 1) == Some(&b'u') => {
                let hex = bytes.get(i + 2..i + 6).unwrap_or_default();
                let unit = hex.iter().try_fold(0u16, |n, c| Some(n << 4 | (*c as char).to_digit(16)? as u16));
                let unit = unit.filter(|_| hex.len() == 4);
                match unit {
                    Some(0xd800..=0xdbff) if !pending_high => pending_high = true,
                    Some(0xdc00..=0xdfff) if pending_high => pending_high = false,
                    Some(0xd800..=0xdfff) => return Err(LONE_SURROGATE.to_string()),
                    _ if pending_high => return Err(LONE_SURROGATE.to_string()),
                    _ => {}
                }
                i += 6;
                continue;
            }
            _ if pending_high => return Err(LONE_SURROGATE.to_string()),
            b'\\' => i += 1, // the escaped byte is skipped below
            _ => {}
        }
        i += 1;
    }
    Ok(i)
}

/// Whether a number token rounds to a float of magnitude 2^53 or more (an overflow to
/// Infinity included), exactly, from its decimal digits: no float is parsed. A token that is
/// not a JSON number is left to the parser.
fn beyond_exact(token: &[u8]) -> bool {
    let token = token.strip_prefix(b"-").unwrap_or(token);
    let (mantissa, exponent) = match token.iter().position(|b| matches!(b, b'e' | b'E')) {
        Some(e) => (&token[..e], &token[e + 1..]),
        None => (token, &b""[..]),
    };
    let (whole, fraction) = match mantissa.iter().position(|b| *b == b'.') {
        Some(p) => (&mantissa[..p], &mantissa[p + 1..]),
        None => (mantissa, &b""[..]),
    };
    let digits_only = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) {
        return false;
    }
    let (negative, exponent_digits) = match exponent {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        rest => (false, rest),
    };
    if exponent_digits.is_empty() && !exponent.is_empty() || !digits_only(exponent_digits) {
        return false;
    }
    // Saturates far beyond any float: only the side of the limit matters.
    let exponent = exponent_digits.iter().fold(0i64, |n, d| (n * 10 + i64::from(d - b'0')).min(1 << 40));
    let exponent = if negative { -exponent } else { exponent };
    // The digits without leading zeros, and how many of them stand before the decimal point.
    let digits = || whole.iter().chain(fraction).copied().skip_while(|d| *d == b'0');
    let count = digits().count() as i64;
    if count == 0 {
        return false; // zero
    }
    let point = count - fraction.len() as i64 + exponent;
    match point.cmp(&LIMIT_POINT) {
        core::cmp::Ordering::Greater => true,
        core::cmp::Ordering::Less => false,
        // Same magnitude: compare digit by digit, the shorter padded with zeros.
        core::cmp::Ordering::Equal => {
            let ours = digits().chain(core::iter::repeat(b'0'));
            let limit = LIMIT_DIGITS.iter().copied().chain(core::iter::repeat(b'0'));
            let len = (count as usize).max(LIMIT_DIGITS.len());
            ours.zip(limit).take(len).find(|(a, b)| a != b).is_none_or(|(a, b)| a > b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_judged_exactly_by_their_digits() {
        for (token, beyond) in [
            ("9007199254740991", false),
            ("9007199254740991.4999999", false),
            ("9007199254740991.5", true),
            ("9007199254740992", true),
            ("-9007199254740992", true),
            ("-9007199254740991", false),
            ("900719925474099.15e1", true),
            ("90071992547409915e-1", true),
            ("90071992547409914e-1", false),
            ("0.00009007199254740992e20", true),
            ("1e15", false),
            ("1e16", true),
            ("1E+16", true),
            ("1e400", true),
            ("1e999999999999999999999", true),
            ("1e-400", false),
            ("0", false),
            ("-0", false),
            ("0.0e999", false),
            ("000", false),
            ("12.5e-3", false),
            ("1.", false),
            ("-", false),
            ("1e", false),
            ("1e+", false),
            ("1-2", false),
            ("1.2.3", false),
        ] {
            assert_eq!(beyond_exact(token.as_bytes()), beyond, "{token}");
        }
    }

    #[test]
    fn agrees_with_the_float_the_digits_round_to() {
        // Near the limit, Rust's (correctly rounding) float parser is the reference.
        let limit = super::super::MAX_SAFE_INTEGER as f64;
        for base in ["9007199254740991", "9007199254740990", "4503599627370496"] {
            for tail in ["", ".0", ".4", ".5", ".5000001", ".49999999999999999", ".9"] {
                for exponent in ["", "e0", "e1", "e-1", "e-16", "e+2"] {
                    let token = format!("{base}{tail}{exponent}");
                    let f: f64 = token.parse().unwrap();
                    assert_eq!(beyond_exact(token.as_bytes()), f.abs() > limit, "{token}");
                }
            }
        }
    }

    #[test]
    fn only_paired_surrogate_escapes_pass() {
        for (text, ok) in [
            (r#""\ud83d\ude00""#, true),
            (r#""\uD83D\uDE00 \u00e9 \\ud800""#, true),
            (r#""\ud800""#, false),
            (r#""\ud800x""#, false),
            (r#""\ud800\u0041""#, false),
            (r#""\udc00""#, false),
            (r#""\ude00\ud83d""#, false),
            (r#"{"\udfff":1}"#, false),
            (r#"["a\"\ud800"]"#, false),
            (r#""\ud800"#, true), // unterminated: the parser refuses it
        ] {
            assert_eq!(check(text, 10).is_ok(), ok, "{text}");
        }
    }
}
