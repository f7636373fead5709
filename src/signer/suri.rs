//! Secret URIs as Substrate writes them: `<phrase or 0x-seed>//hard/soft///password`.
//! `//Alice` alone means the well-known development phrase plus `//Alice`.

use crate::error::{err, ErrorCode, Result};
use crate::vara::hashing::blake2_256;
use parity_scale_codec::Encode;
use zeroize::Zeroizing;

/// The development phrase behind `//Alice`, `//Bob`, … (public, never a real secret).
pub const DEV_PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

/// A derivation step; its chain code is as secret as the junction's text, so it is wiped on drop.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub enum Junction {
    Hard([u8; 32]),
    Soft([u8; 32]),
}

impl core::fmt::Debug for Junction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(if matches!(self, Junction::Hard(_)) { "Hard(<redacted>)" } else { "Soft(<redacted>)" })
    }
}

impl Junction {
    /// A path element becomes a 32-byte chain code: numbers as u64 LE, text as SCALE string,
    /// hashed when longer than 32 bytes.
    fn chain_code(text: &str) -> [u8; 32] {
        let encoded = Zeroizing::new(match text.parse::<u64>() {
            Ok(n) => n.encode(),
            Err(_) => text.encode(),
        });
        if encoded.len() > 32 {
            return blake2_256(&encoded);
        }
        let mut cc = [0u8; 32];
        cc[..encoded.len()].copy_from_slice(&encoded);
        cc
    }
}

/// The development accounts everybody knows (`//Alice` …): naming one is an explicit choice.
pub const DEV_ACCOUNTS: &[&str] = &["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie", "One", "Two"];

/// A parsed SURI. The phrase and password are wiped when dropped; `Debug` shows neither.
pub struct Suri {
    pub phrase: Zeroizing<String>,
    pub path: Vec<Junction>,
    pub password: Option<Zeroizing<String>>,
    /// No phrase was given: the key derives from the public development phrase.
    pub development: bool,
    /// The first junction names a well-known development account (`//Alice`).
    pub names_dev_account: bool,
}

impl core::fmt::Debug for Suri {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "Suri {{ phrase: <redacted>, path: {} junctions, password: {} }}",
            self.path.len(),
            if self.password.is_some() { "<redacted>" } else { "none" }
        )
    }
}

/// Line terminators refused in a password: sp-core's grammar ends the password at `\n`, and
/// polkadot-js's (a JavaScript `.`) at any of these four. A password read from a file or an
/// environment variable often keeps its newline, and would make a key no other tool makes.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn invalid(why: &str) -> Result<Suri> {
    err(ErrorCode::InvalidSecret, format!("invalid secret URI: {why}"))
}

/// Splits a SURI as sp-core's `AddressUri::parse` does: the phrase is the longest prefix of
/// ASCII letters, digits and spaces (none, or only spaces: the development phrase); then `//hard` and `/soft`
/// junctions (at least one character each, any but `/`), then `///password` (everything
/// after it, no line break). Anything else is refused, and no error shows any of the text.
pub fn parse(suri: &str) -> Result<Suri> {
    let phrase_len = suri.find(|c: char| !(c.is_ascii_alphanumeric() || c == ' ')).unwrap_or(suri.len());
    let (phrase, mut rest) = suri.split_at(phrase_len);
    // Sized once: growing would leave copies of chain codes behind in freed memory.
    let mut junctions = Vec::with_capacity(rest.matches('/').count());
    let mut password = None;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("///") {
            if after.contains(is_line_break) {
                return invalid("the password holds a line break (is a trailing newline left from a file?)");
            }
            password = Some(Zeroizing::new(after.to_string()));
            break;
        }
        let (hard, after) = match rest.strip_prefix("//") {
            Some(after) => (true, after),
            None => match rest.strip_prefix('/') {
                Some(after) => (false, after),
                None => return invalid("the phrase may hold only ASCII letters, digits and spaces"),
            },
        };
        let end = after.find('/').unwrap_or(after.len());
        if end == 0 {
            return invalid("empty derivation junction");
        }
        let cc = Junction::chain_code(&after[..end]);
        junctions.push(if hard { Junction::Hard(cc) } else { Junction::Soft(cc) });
        rest = &after[end..];
    }
    // Only spaces: no phrase, as before (sp-core would read a phrase of no words and refuse it;
    // the development key needs the caller's consent either way, see `KeyPolicy`).
    let development = phrase.trim_start_matches(' ').is_empty();
    let names_dev_account = development
        && suri[phrase_len..]
            .strip_prefix("//")
            .is_some_and(|rest| DEV_ACCOUNTS.contains(&rest.split('/').next().unwrap_or("")));
    let phrase = if development { DEV_PHRASE } else { phrase };
    Ok(Suri { phrase: Zeroizing::new(phrase.to_string()), path: junctions, password, development, names_dev_account })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dev_accounts_and_full_forms() {
        assert!(parse("  //Alice").unwrap().names_dev_account);
        let s = parse("//Alice").unwrap();
        assert_eq!(s.phrase.as_str(), DEV_PHRASE);
        assert_eq!(s.path.len(), 1);
        assert!(s.development && s.names_dev_account);
        for bare in ["", "   ", "///", "///pass", "//payments", "/soft"] {
            let s = parse(bare).unwrap();
            assert!(s.development && !s.names_dev_account, "{bare:?}");
        }
        let s = parse(&format!("{DEV_PHRASE}//hard/soft/1///pass")).unwrap();
        assert_eq!(s.path.len(), 3);
        assert!(matches!(s.path[1], Junction::Soft(_)));
        assert_eq!(s.password.as_deref().map(|p| p.as_str()), Some("pass"));
        assert_eq!(parse("//a//").unwrap_err().code, ErrorCode::InvalidSecret);
    }

    #[test]
    fn refuses_what_sp_core_s_grammar_refuses_and_line_breaks_in_passwords() {
        let cases = [
            ("//Alice///pw\n", "line break"),
            ("//Alice///pw\r\n", "line break"),
            ("//Alice///pw\r", "line break"),
            ("//Alice///a\u{2028}b", "line break"),
            ("//Alice///a\u{2029}", "line break"),
            ("//Alice//", "empty derivation junction"),
            ("//Alice/", "empty derivation junction"),
            ("bottom\tdrive", "only ASCII letters"),
            ("bottom\ndrive", "only ASCII letters"),
            ("bottom drive\n", "only ASCII letters"),
            ("bottöm drive", "only ASCII letters"),
            ("bottom-drive//x", "only ASCII letters"),
            ("0x12:34", "only ASCII letters"),
        ];
        for (suri, why) in cases {
            let e = parse(suri).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidSecret, "{suri:?}");
            assert!(e.message.contains(why), "{suri:?}: {}", e.message);
            for secret in ["pw", "bottom", "drive", "Alice", "0x12"] {
                assert!(!e.message.contains(secret), "{suri:?}: {}", e.message);
            }
        }
        // Slashes and any character but a line break belong to the password.
        let s = parse("//a///p//q/\t x").unwrap();
        assert_eq!((s.path.len(), s.password.as_deref().map(|p| p.as_str())), (1, Some("p//q/\t x")));
        // Junctions take any character but `/`, line breaks included (sp-core and polkadot-js).
        assert_eq!(parse("//a\nb/c d").unwrap().path.len(), 2);
    }

    #[test]
    fn chain_codes_follow_substrate() {
        // "Alice" as a SCALE string: compact length 5 (0x14) then the bytes, zero-padded.
        let cc = Junction::chain_code("Alice");
        assert_eq!(&cc[..6], b"\x14Alice");
        assert!(cc[6..].iter().all(|b| *b == 0));
        assert_eq!(&Junction::chain_code("1")[..8], &1u64.to_le_bytes());
        assert_eq!(Junction::chain_code(&"x".repeat(40)), blake2_256(&"x".repeat(40).encode()));
    }

    #[test]
    fn debug_redacts_secrets() {
        let s = parse("bottom drive obey lake curtain smoke basket hold race lonely fit walk///hunter2").unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("bottom") && !shown.contains("hunter2"), "{shown}");
    }
}
