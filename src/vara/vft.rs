//! Sails calls to a VFT (Vara Fungible Token) program: the `Vft/Transfer` a payment carries and
//! the queries that tell the client what the token is. Sails addresses a method in one of two
//! ways, and a program understands only one of them (each misreads the other):
//! - [`Dialect::Named`] (Sails 0.x): SCALE strings, service then method (`"Vft"`, `"Transfer"`).
//!   The tokens deployed on Vara so far (the bridge's WUSDC and WUSDT) and the x402-vara
//!   reference speak it.
//! - [`Dialect::Header`] (Sails 1.0, gear-foundation's awesome-sails 0.3): a 16-byte header,
//!   `"GM"`, version 1, length 16, the service's 8-byte interface id, the method's u16 entry id,
//!   route 0 (the program finds the service by its interface id), a reserved 0.
//!
//! A program answers in the dialect it was asked in, so the answer to a query tells which one
//! it speaks (see [`read_probe`]). Ids below are checked against the awesome-sails crates by
//! the gtest suite (tests/vft).

use crate::amount::{format_units, U256};
use crate::error::{err, Error, ErrorCode, Result};
use crate::json::Value;
use parity_scale_codec::{Decode, Encode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Named,
    Header,
}

/// The methods the client calls. In the named dialect the first five are on the `Vft` service
/// (where Sails 0.x tokens such as the bridge's answer their metadata too); the `Metadata…`
/// ones on `VftMetadata` (awesome-sails 0.2). In the header dialect both are `VftMetadata`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Transfer,
    BalanceOf,
    Decimals,
    Name,
    Symbol,
    MetadataDecimals,
    MetadataName,
    MetadataSymbol,
}

/// awesome-sails 0.3's `Vft` and `VftMetadata` interface ids (sails-rs 1.0).
pub const VFT_INTERFACE: [u8; 8] = [0x50, 0x36, 0xd7, 0x6f, 0xe6, 0x1f, 0x61, 0x0b];
pub const VFT_METADATA_INTERFACE: [u8; 8] = [0x59, 0x4f, 0x34, 0x07, 0xbf, 0xff, 0x54, 0xf1];

const MAGIC: [u8; 2] = *b"GM";
const HEADER_VERSION: u8 = 1;
const HEADER_LEN: u8 = 16;

impl Method {
    /// Service and method names (the named dialect).
    fn route(self) -> (&'static str, &'static str) {
        match self {
            Method::Transfer => ("Vft", "Transfer"),
            Method::BalanceOf => ("Vft", "BalanceOf"),
            Method::Decimals => ("Vft", "Decimals"),
            Method::Name => ("Vft", "Name"),
            Method::Symbol => ("Vft", "Symbol"),
            Method::MetadataDecimals => ("VftMetadata", "Decimals"),
            Method::MetadataName => ("VftMetadata", "Name"),
            Method::MetadataSymbol => ("VftMetadata", "Symbol"),
        }
    }

    /// Interface id and entry id (a service's methods numbered in name order).
    fn entry(self) -> ([u8; 8], u16) {
        match self {
            Method::BalanceOf => (VFT_INTERFACE, 2),
            Method::Transfer => (VFT_INTERFACE, 4),
            Method::Decimals | Method::MetadataDecimals => (VFT_METADATA_INTERFACE, 0),
            Method::Name | Method::MetadataName => (VFT_METADATA_INTERFACE, 1),
            Method::Symbol | Method::MetadataSymbol => (VFT_METADATA_INTERFACE, 2),
        }
    }
}

/// What comes before a call's arguments.
fn prefix(dialect: Dialect, method: Method) -> Vec<u8> {
    let mut out = Vec::with_capacity(16);
    match dialect {
        Dialect::Named => {
            let (service, name) = method.route();
            service.encode_to(&mut out);
            name.encode_to(&mut out);
        }
        Dialect::Header => {
            let (interface, entry) = method.entry();
            out.extend_from_slice(&MAGIC);
            out.extend_from_slice(&[HEADER_VERSION, HEADER_LEN]);
            out.extend_from_slice(&interface);
            out.extend_from_slice(&entry.to_le_bytes());
            out.extend_from_slice(&[0, 0]); // route 0: found by interface id; reserved
        }
    }
    out
}

/// A call to `method` with SCALE-encoded `args`.
pub fn call(dialect: Dialect, method: Method, args: &[u8]) -> Vec<u8> {
    let mut out = prefix(dialect, method);
    out.extend_from_slice(args);
    out
}

pub fn transfer_payload(dialect: Dialect, to: &[u8; 32], value: U256) -> Vec<u8> {
    let mut args = to.to_vec();
    args.extend_from_slice(&value.to_little_endian());
    call(dialect, Method::Transfer, &args)
}

/// The arguments after a `method` prefix in either dialect, with the dialect it was in. A
/// header's route byte is not checked: a program's reply names its own route.
fn strip(message: &[u8], method: Method) -> Option<(Dialect, &[u8])> {
    if let Some(rest) = message.strip_prefix(prefix(Dialect::Named, method).as_slice()) {
        return Some((Dialect::Named, rest));
    }
    let header = prefix(Dialect::Header, method);
    let (head, rest) = message.split_at_checked(header.len())?;
    (head[..14] == header[..14] && head[15] == 0).then_some((Dialect::Header, rest))
}

/// Reads `(dialect, to, value)` back from a payload, refusing anything but `Vft/Transfer`.
pub fn decode_transfer(payload: &[u8]) -> Result<(Dialect, [u8; 32], U256)> {
    let Some((dialect, args)) = strip(payload, Method::Transfer) else {
        return err(ErrorCode::MalformedHeader, "the token payload is not a Sails Vft/Transfer");
    };
    let truncated = |what: &str| Error::new(ErrorCode::MalformedHeader, format!("Vft/Transfer: `{what}` truncated"));
    let input = &mut &args[..];
    let to = <[u8; 32]>::decode(input).map_err(|_| truncated("to"))?;
    let value = <[u8; 32]>::decode(input).map_err(|_| truncated("value"))?;
    if !input.is_empty() {
        return err(ErrorCode::MalformedHeader, "Vft/Transfer payload has trailing bytes");
    }
    Ok((dialect, to, U256::from_little_endian(&value)))
}

/// A reply to `method` in `dialect`, decoded as `T` (all of it), or `None` when it is not one.
pub fn reply<T: Decode>(dialect: Dialect, method: Method, reply: &[u8]) -> Option<T> {
    let (seen, body) = strip(reply, method)?;
    let input = &mut &body[..];
    let value = T::decode(input).ok()?;
    (seen == dialect && input.is_empty()).then_some(value)
}

/// The payer's balance in a reply to `BalanceOf`.
pub fn balance_reply(dialect: Dialect, r: &[u8]) -> Option<U256> {
    reply::<[u8; 32]>(dialect, Method::BalanceOf, r).map(|b| U256::from_little_endian(&b))
}

/// A token's decimals, symbol and name, as its program or a server states them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenInfo {
    pub decimals: Option<u8>,
    pub symbol: Option<String>,
    pub name: Option<String>,
}

impl TokenInfo {
    /// These facts (the program's word) where they speak, `stated` (the server's) where not.
    pub fn or(&self, stated: TokenInfo) -> TokenInfo {
        TokenInfo {
            decimals: self.decimals.or(stated.decimals),
            symbol: self.symbol.clone().or(stated.symbol),
            name: self.name.clone().or(stated.name),
        }
    }

    /// An amount for people: `1.5 WUSDC (1500000 in the smallest unit)`, or the raw value
    /// alone when the decimals are unknown.
    pub fn describe(&self, value: U256) -> String {
        match self.decimals {
            Some(d) => format!(
                "{} {} ({value} in the smallest unit)",
                format_units(value, d),
                self.symbol.as_deref().unwrap_or("tokens")
            ),
            None => format!("{value} (smallest unit)"),
        }
    }

    /// `{ symbol, name, decimals, amount }` with `amount` in the token's units (exact decimals).
    pub fn to_json(&self, amount: U256) -> Value {
        Value::object([
            ("symbol", self.symbol.clone().into()),
            ("name", self.name.clone().into()),
            ("decimals", self.decimals.map(u32::from).into()),
            ("amount", self.decimals.map(|d| format_units(amount, d)).into()),
        ])
    }
}

/// What a token's program said of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFacts {
    pub dialect: Dialect,
    pub info: TokenInfo,
}

/// The questions asked of a program never seen before, in each dialect: `BalanceOf(payer)`
/// (every VFT has it), then `Decimals`, `Symbol`, `Name` (in the named dialect on both
/// services that have held them).
const PROBE: [(Dialect, Method); 11] = [
    (Dialect::Named, Method::BalanceOf),
    (Dialect::Named, Method::Decimals),
    (Dialect::Named, Method::Symbol),
    (Dialect::Named, Method::Name),
    (Dialect::Named, Method::MetadataDecimals),
    (Dialect::Named, Method::MetadataSymbol),
    (Dialect::Named, Method::MetadataName),
    (Dialect::Header, Method::BalanceOf),
    (Dialect::Header, Method::Decimals),
    (Dialect::Header, Method::Symbol),
    (Dialect::Header, Method::Name),
];

pub fn probe(payer: &[u8; 32]) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(PROBE.len());
    for (dialect, method) in PROBE {
        out.push(call(dialect, method, if method == Method::BalanceOf { payer } else { &[] }));
    }
    out
}

/// The program's dialect, facts and the payer's balance from the replies to [`probe`] (`None`
/// where the program answered with an error). A program that answers `BalanceOf` in neither
/// dialect is not a VFT this client can pay.
pub fn read_probe(replies: &[Option<Vec<u8>>]) -> Result<(TokenFacts, U256)> {
    for dialect in [Dialect::Named, Dialect::Header] {
        let answer = |m: Method| {
            let i = PROBE.iter().position(|p| *p == (dialect, m))?;
            replies.get(i)?.as_deref()
        };
        let Some(balance) = answer(Method::BalanceOf).and_then(|r| balance_reply(dialect, r)) else { continue };
        let fact = |m: Method| answer(m).and_then(|r| reply::<String>(dialect, m, r));
        let decimals = |m: Method| answer(m).and_then(|r| reply::<u8>(dialect, m, r));
        let info = TokenInfo {
            // The largest amount has 78 digits: more decimals than that is a broken answer.
            decimals: decimals(Method::Decimals).or_else(|| decimals(Method::MetadataDecimals)).filter(|d| *d <= 78),
            symbol: fact(Method::Symbol).or_else(|| fact(Method::MetadataSymbol)),
            name: fact(Method::Name).or_else(|| fact(Method::MetadataName)),
        };
        return Ok((TokenFacts { dialect, info }, balance));
    }
    err(
        ErrorCode::UnsupportedAsset,
        "the asset's program does not answer Vft/BalanceOf (Sails 0.x or 1.0): it is not a VFT token this client can pay",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_payload_layout_is_sails_0x() {
        let p = transfer_payload(Dialect::Named, &[0xaa; 32], U256::from(1_000_000u64));
        assert_eq!(&p[..4], b"\x0cVft");
        assert_eq!(&p[4..13], b"\x20Transfer");
        assert_eq!(&p[13..45], &[0xaa; 32]);
        assert_eq!(&p[45..48], &[0x40, 0x42, 0x0f]); // 1_000_000 little-endian
        assert!(p[48..].iter().all(|b| *b == 0));
        assert_eq!(p.len(), 77);
        assert_eq!(decode_transfer(&p).unwrap(), (Dialect::Named, [0xaa; 32], U256::from(1_000_000u64)));
    }

    #[test]
    fn header_payload_layout_is_sails_1() {
        let p = transfer_payload(Dialect::Header, &[0xaa; 32], U256::MAX);
        assert_eq!(&p[..4], b"GM\x01\x10");
        assert_eq!(&p[4..12], &VFT_INTERFACE);
        assert_eq!(&p[12..16], &[4, 0, 0, 0]);
        assert_eq!(&p[16..48], &[0xaa; 32]);
        assert_eq!(p.len(), 80);
        assert_eq!(decode_transfer(&p).unwrap(), (Dialect::Header, [0xaa; 32], U256::MAX));
    }

    #[test]
    fn refuses_other_calls() {
        let mut other = Vec::new();
        "Vft".encode_to(&mut other);
        "Approve".encode_to(&mut other);
        other.extend_from_slice(&[0; 64]);
        assert!(decode_transfer(&other).is_err());
        for dialect in [Dialect::Named, Dialect::Header] {
            let mut p = transfer_payload(dialect, &[1; 32], U256::one());
            p.push(0);
            assert!(decode_transfer(&p).is_err());
            assert!(decode_transfer(&p[..p.len() - 2]).is_err());
        }
        let mut wrong_entry = transfer_payload(Dialect::Header, &[1; 32], U256::one());
        wrong_entry[12] = 5; // TransferFrom
        assert!(decode_transfer(&wrong_entry).is_err());
        let mut reserved = transfer_payload(Dialect::Header, &[1; 32], U256::one());
        reserved[15] = 1;
        assert!(decode_transfer(&reserved).is_err());
    }

    #[test]
    fn replies_are_read_in_their_dialect_only() {
        let mut named = call(Dialect::Named, Method::Decimals, &[]);
        named.push(6);
        assert_eq!(reply::<u8>(Dialect::Named, Method::Decimals, &named), Some(6));
        assert_eq!(reply::<u8>(Dialect::Header, Method::Decimals, &named), None);
        // A header reply names the program's own route (here 3).
        let mut header = call(Dialect::Header, Method::Symbol, &"USDC".encode());
        header[14] = 3;
        assert_eq!(reply::<String>(Dialect::Header, Method::Symbol, &header).as_deref(), Some("USDC"));
        assert_eq!(reply::<String>(Dialect::Header, Method::Name, &header), None);
        // Sails 1.0 programs answer a named call with an empty auto-reply: not an answer.
        assert_eq!(reply::<[u8; 32]>(Dialect::Named, Method::BalanceOf, &[]), None);
    }

    #[test]
    fn the_program_is_believed_over_the_server() {
        let program = TokenInfo { decimals: Some(6), symbol: Some("WUSDC".into()), name: None };
        let server =
            TokenInfo { decimals: Some(18), symbol: Some("USD".into()), name: Some("Bridged USD Coin".into()) };
        let shown = program.or(server);
        assert_eq!((shown.decimals, shown.symbol.as_deref()), (Some(6), Some("WUSDC")));
        assert_eq!(shown.name.as_deref(), Some("Bridged USD Coin"), "a gap is filled from extra");
        assert_eq!(shown.describe(U256::from(1_500_000u64)), "1.5 WUSDC (1500000 in the smallest unit)");
        assert_eq!(TokenInfo::default().describe(U256::from(7u64)), "7 (smallest unit)");
        let json = shown.to_json(U256::from(1u64));
        assert_eq!(json.get("amount").and_then(Value::as_str), Some("0.000001"));
    }

    #[test]
    fn the_probe_finds_the_dialect_from_balance_of() {
        let payer = [7u8; 32];
        let calls = probe(&payer);
        assert_eq!(calls.len(), 11);
        // An answer echoes the question's prefix (a header's route byte is the program's own).
        let answer = |i: usize, body: Vec<u8>| {
            let mut r = calls[i].clone();
            if i == 0 || i == 7 {
                r.truncate(r.len() - 32); // BalanceOf's argument is not in the answer
            }
            r.extend(body);
            Some(r)
        };
        let balance = U256::from(5u64).to_little_endian().to_vec();
        // Sails 1.0: empty auto-replies to the named questions, answers to the header ones.
        let mut replies: Vec<Option<Vec<u8>>> = vec![Some(vec![]); 7];
        replies.extend([answer(7, balance.clone()), answer(8, vec![6]), answer(9, "WUSDC".encode()), None]);
        let (facts, held) = read_probe(&replies).unwrap();
        assert_eq!(held, U256::from(5u64));
        let info = TokenInfo { decimals: Some(6), symbol: Some("WUSDC".into()), name: None };
        assert_eq!(facts, TokenFacts { dialect: Dialect::Header, info });
        // Sails 0.x: metadata on VftMetadata only (awesome-sails 0.2); panics on a header.
        let mut named =
            vec![answer(0, balance), None, None, None, answer(4, vec![18]), answer(5, "WETH".encode()), None];
        named.extend([None, None, None, None]);
        let (facts, _) = read_probe(&named).unwrap();
        assert_eq!(
            (facts.dialect, facts.info.decimals, facts.info.symbol.as_deref()),
            (Dialect::Named, Some(18), Some("WETH"))
        );
        let mut none = vec![None; 7];
        none.extend([Some(vec![]), None, None, None]);
        assert_eq!(read_probe(&none).unwrap_err().code, ErrorCode::UnsupportedAsset);
    }
}
