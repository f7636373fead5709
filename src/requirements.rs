//! A validated payment requirement, whatever protocol version carried it: the wire entry
//! checked and turned into typed values, with the server's own spellings kept for echoing.
//!
//! Trust boundary: everything here comes from the server's 402 answer. Nothing is signed
//! from it before [`crate::policy`] has checked it against the caller's limits.

use crate::amount::{format_units, parse_decimal, to_u128, U256};
use crate::error::{err, Error, ErrorCode, Result};
use crate::json::Value;
use crate::scheme::SCHEME_EXACT;
use crate::vara::address::AccountId;
use crate::vara::network::Network;
use crate::vara::vft::TokenInfo;

/// Native VARA's `asset` string in x402 v2 (v1 leaves `asset` out). Like the closed Polkadot
/// `exact` proposal's `"dot"`: the lowercase ticker. Compared case-insensitively.
pub const NATIVE_ASSET: &str = "vara";

/// What is paid with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Asset {
    /// Native VARA, transferred with `Balances.transfer_keep_alive`.
    Native,
    /// A VFT (Sails fungible token) program, paid with `Gear.send_message` → `Vft/Transfer`.
    Vft(AccountId),
}

impl Asset {
    /// `None`, `""` or `"vara"` (any case) is native VARA; a 0x program id is a token.
    pub fn parse(wire: Option<&str>) -> Result<Self> {
        match wire {
            None | Some("") => Ok(Asset::Native),
            Some(a) if a.eq_ignore_ascii_case(NATIVE_ASSET) => Ok(Asset::Native),
            Some(hex) => AccountId::from_hex(hex).map(Asset::Vft).map_err(|_| {
                Error::new(
                    ErrorCode::InvalidAddress,
                    format!("asset must be \"{NATIVE_ASSET}\" or a 0x-prefixed 32-byte program id, got {hex:?}"),
                )
            }),
        }
    }

    /// An amount for people: `0.5 VARA (500000000000 planck)`; a token's units next to its raw
    /// value when its decimals are known, or the raw value alone.
    pub fn describe(&self, value: U256, decimals: Option<u8>) -> String {
        match self {
            Asset::Native => format!("{} VARA ({value} planck)", format_units(value, 12)),
            Asset::Vft(_) => TokenInfo { decimals, ..TokenInfo::default() }.describe(value),
        }
    }

    /// The token's program id; `None` for VARA (as v1 headers write it: no `asset`).
    pub fn program_hex(&self) -> Option<String> {
        match self {
            Asset::Native => None,
            Asset::Vft(id) => Some(id.to_hex()),
        }
    }

    /// How limits and messages name it: `VARA`, or the program id.
    pub fn label(&self) -> String {
        match self {
            Asset::Native => "VARA".into(),
            Asset::Vft(id) => id.to_hex(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub network: Network,
    pub asset: Asset,
    pub amount: U256,
    pub pay_to: AccountId,
    /// The server's spellings of the network and the asset, echoed back as written.
    pub network_wire: String,
    pub asset_wire: Option<String>,
    pub resource: String,
    pub description: String,
    pub extra: Option<Value>,
    /// The entry exactly as the server sent it (v2 echoes it as `accepted`).
    pub wire: Value,
}

/// The fields every version has, under their version's names.
pub struct Fields<'a> {
    pub scheme: &'a str,
    pub network: &'a str,
    pub amount: &'a str,
    /// `maxAmountRequired` (v1) or `amount` (v2), for messages.
    pub amount_field: &'static str,
    pub asset: Option<&'a str>,
    pub pay_to: &'a str,
    pub resource: String,
    pub description: String,
    pub extra: Option<Value>,
}

impl Requirement {
    pub fn validate(f: Fields<'_>, wire: Value) -> Result<Self> {
        if f.scheme != SCHEME_EXACT {
            return err(
                ErrorCode::Malformed402,
                format!("unsupported scheme {:?} (Vara defines only \"exact\")", f.scheme),
            );
        }
        let network = Network::parse(f.network)?;
        let asset = Asset::parse(f.asset)?;
        let amount = parse_decimal(f.amount, f.amount_field)?;
        if asset == Asset::Native {
            to_u128(amount, f.amount_field)?;
        }
        if amount.is_zero() {
            // A zero transfer still costs the payer a fee, and proves nothing to the server.
            return err(
                ErrorCode::ZeroAmount,
                format!("{} is 0: nothing to pay, but the fee would be", f.amount_field),
            );
        }
        let pay_to = AccountId::parse(f.pay_to)
            .map_err(|e| Error::new(ErrorCode::InvalidAddress, format!("payTo: {}", e.message)))?;
        Ok(Requirement {
            network,
            asset,
            amount,
            pay_to,
            network_wire: f.network.to_string(),
            asset_wire: f.asset.filter(|a| !a.is_empty()).map(str::to_string),
            resource: f.resource,
            description: f.description,
            extra: f.extra,
            wire,
        })
    }

    /// What the server says of its token in `extra`: `decimals` (a claim above 38 is not
    /// believed), `symbol`, `name`.
    pub fn stated_token(&self) -> TokenInfo {
        let extra = self.extra.as_ref();
        let text = |key: &str| extra.and_then(|e| e.get(key)).and_then(Value::as_str).map(str::to_string);
        TokenInfo {
            decimals: extra
                .and_then(|e| e.get("decimals"))
                .and_then(Value::as_u64)
                .and_then(|d| u8::try_from(d).ok())
                .filter(|d| *d <= 38),
            symbol: text("symbol"),
            name: text("name"),
        }
    }

    /// Native amount as u128 (validated at construction for `Asset::Native`).
    pub fn native_amount(&self) -> u128 {
        self.amount.low_u128()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(network: &'a str, amount: &'a str, asset: Option<&'a str>, pay_to: &'a str) -> Fields<'a> {
        Fields {
            scheme: "exact",
            network,
            amount,
            amount_field: "amount",
            asset,
            pay_to,
            resource: "r".into(),
            description: String::new(),
            extra: None,
        }
    }

    const BOB: &str = "kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq";

    #[test]
    fn native_spellings_and_tokens() {
        for asset in [None, Some(""), Some("vara"), Some("VARA")] {
            let r = Requirement::validate(fields("vara-testnet", "5", asset, BOB), Value::Null).unwrap();
            assert_eq!(r.asset, Asset::Native, "{asset:?}");
        }
        let token = format!("0x{}", "CD".repeat(32));
        let r = Requirement::validate(fields("vara", "5", Some(&token), BOB), Value::Null).unwrap();
        assert!(matches!(r.asset, Asset::Vft(_)));
        assert_eq!(r.asset_wire.as_deref(), Some(token.as_str()), "the server's spelling is kept");
    }

    #[test]
    fn every_bad_field_has_its_code() {
        let cases = [
            (fields("base", "1", None, BOB), ErrorCode::NetworkNotAllowed),
            (fields("vara", "1.5", None, BOB), ErrorCode::Malformed402),
            (fields("vara", "0", None, BOB), ErrorCode::ZeroAmount),
            (fields("vara", "bob", None, "bob"), ErrorCode::Malformed402),
            (fields("vara", "1", None, "0x1234"), ErrorCode::InvalidAddress),
            (fields("vara", "1", Some("dot"), BOB), ErrorCode::InvalidAddress),
            (fields("vara", "1", Some("0x12"), BOB), ErrorCode::InvalidAddress),
        ];
        for (f, code) in cases {
            let shown = format!("{} {} {:?} {}", f.network, f.amount, f.asset, f.pay_to);
            assert_eq!(Requirement::validate(f, Value::Null).unwrap_err().code, code, "{shown}");
        }
        let too_big = (U256::from(u128::MAX) + 1).to_string();
        let e = Requirement::validate(fields("vara", &too_big, None, BOB), Value::Null).unwrap_err();
        assert_eq!(e.code, ErrorCode::Malformed402);
        let mut upto = fields("vara", "1", None, BOB);
        upto.scheme = "upto";
        assert_eq!(Requirement::validate(upto, Value::Null).unwrap_err().code, ErrorCode::Malformed402);
    }
}
