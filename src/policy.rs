//! The caller's limits and preferences, applied before anything is signed: which networks,
//! which assets up to which amount, and (optionally) which recipients.

use crate::amount::U256;
use crate::error::{err, Error, ErrorCode, Result};
use crate::requirements::{Asset, Requirement};
use crate::vara::address::AccountId;
use crate::vara::network::Network;

/// 0.1 VARA: what a client pays without being told it may pay more.
pub const DEFAULT_MAX_NATIVE: u128 = 100_000_000_000;

/// Where `Policy::networks` came from: the refusal of another network says how to allow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworksFrom {
    /// No option named a network: both Vara networks.
    Default,
    /// `options.networks`.
    Listed,
    /// The networks `rpcUrls` or `genesisHashes` configure, `networks` not given.
    Configured,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Limit for native VARA, in planck (1 VARA = 10^12).
    pub max_native: u128,
    /// Allowed VFT programs with their limit; a token not listed is never paid.
    pub max_tokens: Vec<(AccountId, U256)>,
    pub networks: Vec<Network>,
    pub networks_from: NetworksFrom,
    /// When set, only these recipients are paid.
    pub recipients: Option<Vec<AccountId>>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_native: DEFAULT_MAX_NATIVE,
            max_tokens: Vec::new(),
            networks: vec![Network::Vara, Network::VaraTestnet],
            networks_from: NetworksFrom::Default,
            recipients: None,
        }
    }
}

impl Policy {
    /// Whether this one requirement may be paid.
    pub fn check(&self, r: &Requirement) -> Result<()> {
        if !self.networks.contains(&r.network) {
            return err(ErrorCode::NetworkNotAllowed, self.network_refusal(&r.network_wire));
        }
        let limit = match r.asset {
            Asset::Native => U256::from(self.max_native),
            Asset::Vft(program) => match self.max_tokens.iter().find(|(p, _)| *p == program) {
                Some((_, limit)) => *limit,
                None => {
                    return err(
                        ErrorCode::AssetNotAllowed,
                        format!(
                            "token {} has not been allowed: set options.maxAmount[\"{}\"] to the most you will pay in its smallest unit",
                            program.to_hex(),
                            program.to_hex()
                        ),
                    )
                }
            },
        };
        if r.amount > limit {
            let decimals = token_decimals(r);
            let key = match r.asset {
                Asset::Native => "options.maxAmount.VARA".to_string(),
                Asset::Vft(p) => format!("options.maxAmount[\"{}\"]", p.to_hex()),
            };
            return err(
                ErrorCode::AmountOverLimit,
                format!(
                    "the server asks {} but the limit is {}: raise {key} to pay it",
                    r.asset.describe(r.amount, decimals),
                    r.asset.describe(limit, decimals)
                ),
            );
        }
        if let Some(allowed) = &self.recipients {
            if !allowed.contains(&r.pay_to) {
                return err(
                    ErrorCode::RecipientNotAllowed,
                    format!("recipient {} is not in the allowed recipients", r.pay_to.to_ss58(137)),
                );
            }
        }
        Ok(())
    }

    /// Why `wire` (a network the seller asks for) is not paid, and how to allow it.
    fn network_refusal(&self, wire: &str) -> String {
        let listed = self.networks.iter().map(|n| format!("\"{}\"", n.name())).collect::<Vec<_>>().join(", ");
        if self.networks_from == NetworksFrom::Configured {
            return format!(
                "network {wire} is not allowed: options.rpcUrls and options.genesisHashes configure only {listed}, \
                 so only those are paid; to pay on {wire} too, list every network to pay on: options.networks: [{listed}, \"{wire}\"]"
            );
        }
        format!("network {wire} is not in options.networks [{listed}]: add \"{wire}\" to pay on it")
    }

    /// The first entry of `accepts` that is valid and allowed. When none is, the error of
    /// a single entry is returned as is; several are summed up as NO_ACCEPTABLE_REQUIREMENTS.
    pub fn select(&self, candidates: Vec<Result<Requirement>>) -> Result<(usize, Requirement)> {
        let mut reasons: Vec<Error> = Vec::new();
        for (i, candidate) in candidates.into_iter().enumerate() {
            match candidate.and_then(|r| self.check(&r).map(|_| r)) {
                Ok(r) => return Ok((i, r)),
                Err(e) => reasons.push(e),
            }
        }
        match reasons.len() {
            0 => err(ErrorCode::NoAcceptableRequirements, "the 402 body lists no payment requirements"),
            1 => Err(reasons.remove(0)),
            _ => {
                let list = reasons.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ");
                err(ErrorCode::NoAcceptableRequirements, format!("no acceptable payment requirements: {list}"))
            }
        }
    }
}

/// A token's decimals as the server states them (`extra.decimals`); VARA has 12.
fn token_decimals(r: &Requirement) -> Option<u8> {
    match r.asset {
        Asset::Native => Some(r.network.decimals()),
        Asset::Vft(_) => {
            r.extra.as_ref()?.get("decimals")?.as_u64().and_then(|d| u8::try_from(d).ok()).filter(|d| *d <= 38)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(network: &str, amount: &str, asset: Option<&str>) -> Result<Requirement> {
        crate::proto::v1::requirement(&crate::json::json!({
            "scheme": "exact", "network": network, "maxAmountRequired": amount, "resource": "r",
            "payTo": "kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW", "maxTimeoutSeconds": 60, "asset": asset
        }))
    }

    #[test]
    fn default_policy_pays_small_native_amounts_only() {
        let p = Policy::default();
        assert!(p.select(vec![wire("vara", "100000000000", None)]).is_ok());
        let e = p.select(vec![wire("vara", "500000000000", None)]).unwrap_err();
        assert_eq!(e.code, ErrorCode::AmountOverLimit);
        assert!(e.message.contains("0.5 VARA (500000000000 planck)"), "{}", e.message);
        assert!(e.message.contains("0.1 VARA") && e.message.contains("options.maxAmount.VARA"), "{}", e.message);
        let token = format!("0x{}", "22".repeat(32));
        assert_eq!(p.select(vec![wire("vara", "1", Some(&token))]).unwrap_err().code, ErrorCode::AssetNotAllowed);
    }

    #[test]
    fn picks_the_first_acceptable_entry_and_explains_refusals() {
        let mut p = Policy { networks: vec![Network::VaraTestnet], ..Policy::default() };
        let accepts = || vec![wire("vara", "1", None), wire("solana", "1", None), wire("vara-testnet", "5", None)];
        let (i, r) = p.select(accepts()).unwrap();
        assert_eq!((i, r.native_amount()), (2, 5));
        let e = p.select(accepts()[..2].to_vec()).unwrap_err();
        assert_eq!(e.code, ErrorCode::NoAcceptableRequirements);
        assert!(e.message.contains("NETWORK_NOT_ALLOWED"), "{}", e.message);
        p.recipients = Some(vec![AccountId([0; 32])]);
        assert_eq!(p.select(accepts()[2..].to_vec()).unwrap_err().code, ErrorCode::RecipientNotAllowed);
    }

    #[test]
    fn a_network_refused_says_how_to_allow_it() {
        let mut p = Policy {
            networks: vec![Network::VaraTestnet],
            networks_from: NetworksFrom::Configured,
            ..Policy::default()
        };
        let e = p.select(vec![wire("vara", "1", None)]).unwrap_err();
        assert_eq!(e.code, ErrorCode::NetworkNotAllowed);
        assert!(
            e.message.contains(
                "options.rpcUrls and options.genesisHashes configure only \"vara-testnet\", so only those are paid"
            ),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("list every network to pay on: options.networks: [\"vara-testnet\", \"vara\"]"),
            "{}",
            e.message
        );
        p.networks_from = NetworksFrom::Listed;
        let e = p.select(vec![wire("vara", "1", None)]).unwrap_err();
        assert!(
            e.message.contains("network vara is not in options.networks [\"vara-testnet\"]: add \"vara\""),
            "{}",
            e.message
        );
    }
}
