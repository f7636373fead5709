//! One pass over JSON text before either parser sees it (the same code in wasm and natively),
//! refusing what would otherwise read differently on the two paths: nesting too deep for the
//! recursive walks, numbers a JavaScript number cannot hold, strings that are not Unicode. It
//! looks at every token, also those `JSON.parse` drops (the earlier of two equal keys), which
//! serde_json still reads and refuses. The text need not be valid JSON: what is not is left
//! to the parser.

use super::value::{MAX_SAFE_INTEGER, NOT_EXACT};

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
                // NaN (not a number: left to the parser) is not beyond.
                if float(&text[i..end]).abs() > MAX_SAFE_INTEGER as f64 {
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

/// The float a number token rounds to, by the platform's correctly rounding reader (the one
/// `JSON.parse` uses in wasm, Rust's natively: the same float for every JSON number); NaN
/// when the token is not a number.
#[cfg(target_arch = "wasm32")]
fn float(token: &str) -> f64 {
    js_sys::Number::parse_float(token)
}

#[cfg(not(target_arch = "wasm32"))]
fn float(token: &str) -> f64 {
    token.parse().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_round_to_2_53_or_more_are_refused() {
        for (token, beyond) in [
            ("9007199254740991", false),
            ("9007199254740991.4999999", false),
            ("9007199254740991.5", true),
            ("9007199254740992", true),
            ("-9007199254740992", true),
            ("-9007199254740991", false),
            ("900719925474099.15e1", true),
            ("90071992547409914e-1", false),
            ("0.00009007199254740992e20", true),
            ("1e15", false),
            ("1E+16", true),
            ("1e400", true),
            ("1e999999999999999999999", true),
            ("1e-400", false),
            ("-0", false),
            ("0.0e999", false),
            ("12.5e-3", false),
            ("1.", false),
            ("-", false),
            ("1e+", false),
            ("1-2", false),
        ] {
            for text in [token.to_string(), format!(r#"{{"a":[{token}]}}"#)] {
                assert_eq!(check(&text, 10).is_err(), beyond, "{text}");
            }
        }
        // Inside a string a number is text.
        assert!(check(r#""1e400""#, 10).is_ok());
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
