//! Secret URIs as Substrate writes them: `<phrase or 0x-seed>//hard/soft///password`.
//! `//Alice` alone means the well-known development phrase plus `//Alice`.

use crate::error::{err, ErrorCode, Result};
use crate::vara::hashing::blake2_256;
use parity_scale_codec::Encode;
use zeroize::Zeroizing;

/// The development phrase behind `//Alice`, `//Bob`, … (public, never a real secret).
pub const DEV_PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Junction {
    Hard([u8; 32]),
    Soft([u8; 32]),
}

impl Junction {
    /// A path element becomes a 32-byte chain code: numbers as u64 LE, text as SCALE string,
    /// hashed when longer than 32 bytes.
    fn chain_code(text: &str) -> [u8; 32] {
        let encoded = match text.parse::<u64>() {
            Ok(n) => n.encode(),
            Err(_) => text.encode(),
        };
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

pub fn parse(suri: &str) -> Result<Suri> {
    let (main, password) = match suri.find("///") {
        Some(i) => (&suri[..i], Some(Zeroizing::new(suri[i + 3..].to_string()))),
        None => (suri, None),
    };
    let (phrase, path) = match main.find('/') {
        Some(i) => (main[..i].trim(), &main[i..]),
        None => (main.trim(), ""),
    };
    let development = phrase.is_empty();
    let names_dev_account = development
        && path.strip_prefix("//").is_some_and(|rest| {
            let first = rest.split('/').next().unwrap_or("");
            DEV_ACCOUNTS.contains(&first)
        });
    let phrase = if development { DEV_PHRASE } else { phrase };
    let mut junctions = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        let hard = rest.starts_with("//");
        let body = &rest[if hard { 2 } else { 1 }..];
        let end = body.find('/').unwrap_or(body.len());
        let name = &body[..end];
        if name.is_empty() {
            return err(ErrorCode::InvalidSecret, "invalid SURI: empty derivation junction");
        }
        let cc = Junction::chain_code(name);
        junctions.push(if hard { Junction::Hard(cc) } else { Junction::Soft(cc) });
        rest = &body[end..];
    }
    Ok(Suri { phrase: Zeroizing::new(phrase.to_string()), path: junctions, password, development, names_dev_account })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dev_accounts_and_full_forms() {
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
