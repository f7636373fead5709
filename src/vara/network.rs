//! The Vara networks this client pays on, and how to reach and recognise each.

use crate::error::{err, ErrorCode, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Network {
    Vara,
    VaraTestnet,
}

impl Network {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "vara" => Ok(Network::Vara),
            "vara-testnet" => Ok(Network::VaraTestnet),
            other => {
                err(ErrorCode::NetworkNotAllowed, format!("unknown network {other:?} (known: vara, vara-testnet)"))
            }
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Network::Vara => "vara",
            Network::VaraTestnet => "vara-testnet",
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
}

/// Where to reach a network: its RPC URL and the genesis hash the node must report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub network: Network,
    pub rpc_url: String,
    pub genesis_hash: [u8; 32],
}

impl Endpoint {
    /// The public endpoint, or a custom RPC URL (a local node); a local chain may also
    /// supply its own genesis hash (a dev chain is not the public one).
    pub fn new(network: Network, rpc_url: Option<&str>, genesis_hash: Option<&str>) -> Result<Self> {
        let rpc_url = rpc_url.unwrap_or(network.default_rpc_url()).to_string();
        if !(rpc_url.starts_with("http://") || rpc_url.starts_with("https://")) {
            return err(
                ErrorCode::InvalidOptions,
                format!("RPC URL must be http(s):// (JSON-RPC over HTTP POST), got {rpc_url:?}"),
            );
        }
        let genesis = genesis_hash.unwrap_or(network.genesis_hash_hex());
        let genesis_hash = crate::hexutil::decode_fixed::<32>(genesis).map_err(|_| {
            crate::error::Error::new(
                ErrorCode::InvalidOptions,
                format!("genesis hash must be 32 bytes of hex, got {genesis:?}"),
            )
        })?;
        Ok(Endpoint { network, rpc_url, genesis_hash })
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
    }

    #[test]
    fn endpoints_check_their_inputs() {
        let e = Endpoint::new(Network::Vara, None, None).unwrap();
        assert_eq!(e.rpc_url, "https://rpc.vara.network");
        assert_eq!(Endpoint::new(Network::Vara, Some("wss://x"), None).unwrap_err().code, ErrorCode::InvalidOptions);
        assert_eq!(Endpoint::new(Network::Vara, None, Some("0x45")).unwrap_err().code, ErrorCode::InvalidOptions);
    }
}
