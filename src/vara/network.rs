//! The Vara networks this client pays on, and how to reach and recognise each.

use crate::error::{err, ErrorCode, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Network {
    Vara,
    VaraTestnet,
}

impl Network {
    pub const ALL: [Network; 2] = [Network::Vara, Network::VaraTestnet];

    /// Accepts the x402 v1 names (`vara`, `vara-testnet`) and the CAIP-2 ids of v2.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|n| n.name() == name || n.caip2() == name).ok_or_else(|| {
            crate::error::Error::new(
                ErrorCode::NetworkNotAllowed,
                format!(
                    "unknown network {name:?} (known: vara, vara-testnet, {}, {})",
                    Network::Vara.caip2(),
                    Network::VaraTestnet.caip2()
                ),
            )
        })
    }

    pub const fn name(self) -> &'static str {
        match self {
            Network::Vara => "vara",
            Network::VaraTestnet => "vara-testnet",
        }
    }

    /// The CAIP-2 id (x402 v2): `polkadot:` and the first 16 bytes of the genesis hash in hex.
    pub const fn caip2(self) -> &'static str {
        match self {
            Network::Vara => "polkadot:fe1b4c55fd4d668101126434206571a7",
            Network::VaraTestnet => "polkadot:525639f713f397dcf839bd022cd821f3",
        }
    }

    /// Public RPC endpoints (HTTP JSON-RPC is served on the same port as WebSocket).
    pub const fn default_rpc_url(self) -> &'static str {
        match self {
            Network::Vara => "https://rpc.vara.network",
            Network::VaraTestnet => "https://testnet.vara.network",
        }
    }

    /// Genesis block hash: a node answering with another one is on the wrong chain.
    pub const fn genesis_hash_hex(self) -> &'static str {
        match self {
            Network::Vara => "0xfe1b4c55fd4d668101126434206571a7838a8b6b93a6d1b95d607e78e6c53763",
            Network::VaraTestnet => "0x525639f713f397dcf839bd022cd821f367ebcf179de7b9253531f8adbe5436d6",
        }
    }

    pub const fn ss58_prefix(self) -> u16 {
        crate::vara::address::VARA_SS58_PREFIX
    }

    pub const fn decimals(self) -> u8 {
        12
    }

    /// The token symbol the runtime is built with (gear's `build.rs`: `TVARA` on the testnet).
    pub const fn token_symbol(self) -> &'static str {
        match self {
            Network::Vara => "VARA",
            Network::VaraTestnet => "TVARA",
        }
    }
}

/// Where to reach a network: its RPC URLs (tried in order) and the genesis hash every one of
/// them must report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub network: Network,
    pub rpc_urls: Vec<String>,
    pub genesis_hash: [u8; 32],
}

impl Endpoint {
    /// The public endpoint, or custom RPC URLs (a local node, a private one, fallbacks); a
    /// local chain may also supply its own genesis hash (a dev chain is not the public one).
    pub fn new(network: Network, rpc_urls: &[String], genesis_hash: Option<&str>) -> Result<Self> {
        let rpc_urls =
            if rpc_urls.is_empty() { vec![network.default_rpc_url().to_string()] } else { rpc_urls.to_vec() };
        for url in &rpc_urls {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return err(
                    ErrorCode::InvalidOptions,
                    format!("RPC URL must be http(s):// (JSON-RPC over HTTP POST), got {url:?}"),
                );
            }
        }
        let genesis = genesis_hash.unwrap_or(network.genesis_hash_hex());
        let genesis_hash = crate::hexutil::decode_fixed::<32>(genesis).map_err(|_| {
            crate::error::Error::new(
                ErrorCode::InvalidOptions,
                format!("genesis hash must be 32 bytes of hex, got {genesis:?}"),
            )
        })?;
        Ok(Endpoint { network, rpc_urls, genesis_hash })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_networks_only() {
        assert_eq!(Network::parse("vara").unwrap(), Network::Vara);
        assert_eq!(Network::parse("vara-testnet").unwrap().name(), "vara-testnet");
        assert_eq!(Network::parse("base-sepolia").unwrap_err().code, ErrorCode::NetworkNotAllowed);
        assert_eq!(Network::parse("polkadot:525639f713f397dcf839bd022cd821f3").unwrap(), Network::VaraTestnet);
        assert_eq!(Network::parse("polkadot:fe1b4c55fd4d668101126434206571a7").unwrap(), Network::Vara);
    }

    #[test]
    fn caip2_ids_are_the_genesis_hash_prefixes() {
        for n in Network::ALL {
            assert_eq!(n.caip2()["polkadot:".len()..], n.genesis_hash_hex()[2..34]);
        }
    }

    #[test]
    fn endpoints_check_their_inputs() {
        let e = Endpoint::new(Network::Vara, &[], None).unwrap();
        assert_eq!(e.rpc_urls, ["https://rpc.vara.network"]);
        let urls = ["http://a".to_string(), "wss://x".to_string()];
        assert_eq!(Endpoint::new(Network::Vara, &urls, None).unwrap_err().code, ErrorCode::InvalidOptions);
        assert_eq!(Endpoint::new(Network::Vara, &[], Some("0x45")).unwrap_err().code, ErrorCode::InvalidOptions);
    }
}
