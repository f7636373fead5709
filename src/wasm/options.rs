//! Options objects from JavaScript, turned into the core's policy and build options.

use super::errors::invalid_options;
use crate::amount::{parse_decimal, to_u128};
use crate::error::Result;
use crate::payment::{BuildOptions, GasLimit};
use crate::policy::Policy;
use crate::vara::address::AccountId;
use crate::vara::network::{Endpoint, Network};
use serde::Deserialize;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JsOptions {
    /// Network name → HTTP(S) JSON-RPC URL (a local node in development).
    pub rpc_urls: BTreeMap<String, String>,
    /// Network name → expected genesis hash (for a local chain that is not the public one).
    pub genesis_hashes: BTreeMap<String, String>,
    /// `"VARA"` or a VFT program id → the most this client pays, in the smallest unit.
    pub max_amount: BTreeMap<String, String>,
    pub networks: Option<Vec<String>>,
    pub recipients: Option<Vec<String>>,
    pub era_period: Option<u64>,
    pub tip: Option<String>,
    /// `"calculate"` (default), `"max"`, or a number.
    pub gas_limit: Option<serde_json::Value>,
    pub gas_margin_percent: Option<u32>,
    pub check_existential_deposit: Option<bool>,
}

impl JsOptions {
    pub fn from_js(value: &JsValue) -> Result<Self> {
        if value.is_undefined() || value.is_null() {
            return Ok(Self::default());
        }
        super::json::from_js(value, crate::error::ErrorCode::InvalidOptions, "options")
    }

    pub fn policy(&self) -> Result<Policy> {
        let mut policy = Policy::default();
        for (asset, limit) in &self.max_amount {
            let value = parse_decimal(limit, "maxAmount").map_err(|e| invalid_options(e.message))?;
            if asset.eq_ignore_ascii_case("vara") || asset.eq_ignore_ascii_case("native") {
                policy.max_native = to_u128(value, "maxAmount.VARA").map_err(|e| invalid_options(e.message))?;
            } else {
                let program = AccountId::from_hex(asset).map_err(|_| {
                    invalid_options(format!("maxAmount key {asset:?} is neither VARA nor a program id"))
                })?;
                policy.max_tokens.push((program, value));
            }
        }
        if let Some(networks) = &self.networks {
            policy.networks = networks.iter().map(|n| Network::parse(n)).collect::<Result<_>>()?;
        }
        if let Some(recipients) = &self.recipients {
            policy.recipients = Some(recipients.iter().map(|r| AccountId::parse(r)).collect::<Result<_>>()?);
        }
        Ok(policy)
    }

    pub fn build_options(&self) -> Result<BuildOptions> {
        let mut o = BuildOptions::default();
        if let Some(p) = self.era_period {
            o.era_period = p;
        }
        if let Some(tip) = &self.tip {
            o.tip = to_u128(parse_decimal(tip, "tip")?, "tip").map_err(|e| invalid_options(e.message))?;
        }
        let margin = self.gas_margin_percent.unwrap_or(20);
        o.gas_limit = match &self.gas_limit {
            None => GasLimit::Calculate { margin_percent: margin },
            Some(serde_json::Value::String(s)) if s == "calculate" => GasLimit::Calculate { margin_percent: margin },
            Some(serde_json::Value::String(s)) if s == "max" => GasLimit::Max,
            Some(serde_json::Value::Number(n)) if n.as_u64().is_some() => {
                GasLimit::Fixed(n.as_u64().unwrap_or_default())
            }
            Some(other) => {
                return Err(invalid_options(format!(
                    "gasLimit must be \"calculate\", \"max\" or a number, got {other}"
                )))
            }
        };
        if let Some(check) = self.check_existential_deposit {
            o.check_existential_deposit = check;
        }
        Ok(o)
    }

    pub fn endpoint(&self, network: Network) -> Result<Endpoint> {
        Endpoint::new(
            network,
            self.rpc_urls.get(network.name()).map(String::as_str),
            self.genesis_hashes.get(network.name()).map(String::as_str),
        )
    }
}
