//! The caller's options, read strictly: an unknown key is an error that names it and the
//! closest valid one (a misspelled limit must never be ignored while money moves), and every
//! wrong value names its field and what it should be.
//!
//! Trust boundary: options come from the caller, who is trusted but fallible. They arrive as
//! JSON (the JS layer turns BigInts into decimal strings and lists the keys holding functions).

use crate::amount::{parse_decimal, to_u128, U256};
use crate::budget::{Caps, Limits, Scope};
use crate::error::{Error, ErrorCode, Result};
use crate::json::{Map, Value};
use crate::payment::{BuildOptions, GasLimit, MAX_ERA_PERIOD, MAX_GAS_MARGIN_PERCENT};
use crate::policy::{NetworksFrom, Policy};
use crate::vara::address::AccountId;
use crate::vara::calls::Layout;
use crate::vara::metadata_hash::Mode as MetadataHashMode;
use crate::vara::network::{Endpoint, Network};
use std::collections::BTreeMap;

/// Keys holding data.
const DATA_KEYS: &[&str] = &[
    "rpcUrls",
    "genesisHashes",
    "maxAmount",
    "networks",
    "recipients",
    "eraPeriod",
    "tip",
    "gasLimit",
    "gasMarginPercent",
    "checkExistentialDeposit",
    "timeoutMs",
    "bodyTimeoutMs",
    "trustNodeMetadata",
    "metadataHash",
    "budget",
    "turnTimeoutMs",
    "confirmWaitMs",
];
/// Keys the JS layer reads itself, whatever JSON makes of them (`signal`: an AbortSignal,
/// `ledger`: a `PaymentLedger`, `coordinator`: a fleet's coordinator).
const PLATFORM_KEYS: &[&str] = &["signal", "ledger", "coordinator"];
/// Keys holding functions (the JS layer reads them itself).
pub const HOOK_KEYS: &[&str] = &["onBeforePayment", "selectRequirements", "rpcFetch"];

/// One JSON-RPC request may take this long by default.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// Reading a seller's 402 body, or its error body after paying, may take this long by
/// default: a few kilobytes, so only a seller trickling them comes near it.
pub const DEFAULT_BODY_TIMEOUT_MS: u32 = 10_000;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub policy: Policy,
    pub build: BuildOptions,
    rpc_urls: BTreeMap<Network, Vec<String>>,
    genesis_hashes: BTreeMap<Network, String>,
    /// Bound on each JSON-RPC request (and so on each endpoint a payment tries).
    pub timeout_ms: u32,
    /// `budget`: caps over what the payments made with these options may spend.
    pub budget: Option<Limits>,
    /// How long a payment waits for the one ahead of it once that one's seller has it.
    pub turn_timeout_ms: u32,
    /// How long a refused or unanswered payment waits for the chain's verdict before it is
    /// reported (a seller may still submit what it refused).
    pub confirm_wait_ms: u32,
    /// Bound on reading a seller's body the client itself reads (the 402, an error after
    /// paying), whether or not the caller passed a signal.
    pub body_timeout_ms: u32,
}

/// The default `confirmWaitMs`: about one Vara block.
pub const DEFAULT_CONFIRM_WAIT_MS: u32 = 3_000;

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            policy: Policy::default(),
            build: BuildOptions::default(),
            rpc_urls: BTreeMap::new(),
            genesis_hashes: BTreeMap::new(),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            budget: None,
            turn_timeout_ms: crate::payment::TURN_TIMEOUT_MS,
            confirm_wait_ms: DEFAULT_CONFIRM_WAIT_MS,
            body_timeout_ms: DEFAULT_BODY_TIMEOUT_MS,
        }
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidOptions, message)
}

/// `", did you mean \"x\"?"` when a known name is close to `key`.
fn suggestion(key: &str, known: &[&str]) -> String {
    let key = key.to_ascii_lowercase();
    let best = known
        .iter()
        .map(|k| {
            let k_low = k.to_ascii_lowercase();
            // "testnet" for "vara-testnet": a part of the name counts as close.
            let d = if key.len() >= 4 && k_low.contains(&key) { 1 } else { edit_distance(&key, &k_low) };
            (d, *k)
        })
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, k)) if d <= 3.max(key.len() / 3) => format!(", did you mean \"{k}\"?"),
        _ => format!(" (known: {})", known.join(", ")),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A network key of a per-network map: `vara`, `vara-testnet` or a CAIP-2 id.
fn network_key(field: &str, key: &str) -> Result<Network> {
    Network::parse(key).map_err(|_| {
        let known: Vec<&str> = Network::ALL.iter().flat_map(|n| [n.name(), n.caip2()]).collect();
        invalid(format!("options.{field} has an unknown network key \"{key}\"{}", suggestion(key, &known)))
    })
}

/// One thing named twice in one option (`VARA` and `vara`, a network by its name and by its
/// CAIP-2 id, a program id in two cases): refused, since the two values may disagree and
/// letting either win silently would be wrong. `seen` holds each thing's canonical name (`id`:
/// "VARA", a network's v1 name, a lowercase 0x key) and its first spelling (in the order the
/// JSON map gives: sorted). One non-generic function: each instance costs wasm bytes.
fn once(seen: &mut Vec<(String, String)>, path: &str, id: &str, spelling: &str) -> Result<()> {
    if let Some((_, first)) = seen.iter().find(|(k, _)| k == id) {
        return Err(invalid(format!(
            "{path} names {id} twice, as \"{first}\" and \"{spelling}\": keep one, did you mean \"{id}\" alone?"
        )));
    }
    seen.push((id.into(), spelling.into()));
    Ok(())
}

fn string<'a>(path: &str, v: &'a Value) -> Result<&'a str> {
    v.as_str().ok_or_else(|| invalid(format!("{path} must be a string, got {}", kind(v))))
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// An amount in the smallest unit: a decimal string, a BigInt (arrives as a string) or a safe
/// integer. Anything else is refused with its field's name.
fn amount(path: &str, v: &Value) -> Result<U256> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_u64() {
            Some(i) if i < (1u64 << 53) => i.to_string(),
            _ => {
                return Err(invalid(format!(
                    "{path} must be a decimal string or a BigInt (the number {n} is not a safe integer)"
                )))
            }
        },
        other => return Err(invalid(format!("{path} must be a decimal string or a BigInt, got {}", kind(other)))),
    };
    parse_decimal(&text, path).map_err(|_| {
        invalid(format!("{path} must be a whole number of the smallest unit (1 VARA = 1000000000000), got {text:?}"))
    })
}

fn small_integer(path: &str, v: &Value, range: core::ops::RangeInclusive<u64>) -> Result<u64> {
    match v.as_u64() {
        Some(n) if range.contains(&n) => Ok(n),
        _ => Err(invalid(format!(
            "{path} must be an integer within {}..={}, got {}",
            range.start(),
            range.end(),
            kind(v)
        ))),
    }
}

fn boolean(path: &str, v: &Value) -> Result<bool> {
    v.as_bool().ok_or_else(|| invalid(format!("{path} must be true or false, got {}", kind(v))))
}

fn object<'a>(path: &str, v: &'a Value) -> Result<&'a Map> {
    v.as_object().ok_or_else(|| invalid(format!("{path} must be an object, got {}", kind(v))))
}

fn string_list(path: &str, v: &Value) -> Result<Vec<String>> {
    let items = v.as_array().ok_or_else(|| invalid(format!("{path} must be an array of strings, got {}", kind(v))))?;
    items.iter().enumerate().map(|(i, item)| string(&format!("{path}[{i}]"), item).map(str::to_string)).collect()
}

/// `budget`: `{ VARA?: Caps, [programId]: Caps, scope?: 'all' | 'origin' | 'payTo', name? }` with
/// `Caps = { perHour?, perDay?, total? }` amounts in the smallest unit.
fn budget(path: &str, v: &Value) -> Result<Limits> {
    let mut limits = Limits::default();
    for (key, v) in object(path, v)? {
        let at = format!("{path}.{key}");
        if key == "name" {
            limits.name = Some(string(&at, v)?.to_string());
            continue;
        }
        if key == "scope" {
            limits.scope = match string(&at, v)? {
                "all" => Scope::All,
                "origin" => Scope::Origin,
                "payTo" => Scope::PayTo,
                other => return Err(invalid(format!("{at} must be \"all\", \"origin\" or \"payTo\", got {other:?}"))),
            };
            continue;
        }
        let asset = if key.eq_ignore_ascii_case("vara") {
            "VARA".to_string()
        } else {
            AccountId::from_hex(key)
                .map_err(|_| {
                    invalid(format!("{path} has key \"{key}\": use VARA, a token's 0x program id, scope or name"))
                })?
                .to_hex()
        };
        if limits.assets.contains_key(&asset) {
            return Err(invalid(format!("{path} names {asset} twice (\"{key}\")")));
        }
        let mut caps = Caps::default();
        for (window, v) in object(&at, v)? {
            let field = format!("{at}.{window}");
            let cap = Some(to_u128(amount(&field, v)?, &field).map_err(|e| invalid(e.message))?);
            match window.as_str() {
                "perHour" => caps.per_hour = cap,
                "perDay" => caps.per_day = cap,
                "total" => caps.total = cap,
                other => {
                    return Err(invalid(format!(
                        "unknown budget window \"{other}\" in {at}{}",
                        suggestion(other, &["perHour", "perDay", "total"])
                    )))
                }
            }
        }
        limits.assets.insert(asset, caps);
    }
    Ok(limits)
}

impl ClientOptions {
    /// Reads options from JSON; `hooks` lists the keys whose values were functions.
    pub fn from_json(value: &Value, hooks: &[String]) -> Result<Self> {
        let mut o = ClientOptions::default();
        if value.is_null() {
            return Ok(o);
        }
        let map = object("options", value)?;
        let mut gas_margin = None;
        for key in hooks {
            if !HOOK_KEYS.contains(&key.as_str()) {
                let known: Vec<&str> = DATA_KEYS.iter().chain(HOOK_KEYS).chain(PLATFORM_KEYS).copied().collect();
                return Err(invalid(format!("unknown option \"{key}\"{}", suggestion(key, &known))));
            }
        }
        for (key, v) in map {
            let path = format!("options.{key}");
            match key.as_str() {
                "rpcUrls" => {
                    let mut seen = Vec::new();
                    for (net, urls) in object(&path, v)? {
                        let network = network_key(key, net)?;
                        once(&mut seen, &path, network.name(), net)?;
                        let list = match urls {
                            Value::String(s) => vec![s.clone()],
                            other => string_list(&format!("{path}[\"{net}\"]"), other)?,
                        };
                        o.rpc_urls.insert(network, list);
                    }
                }
                "genesisHashes" => {
                    let mut seen = Vec::new();
                    for (net, hash) in object(&path, v)? {
                        let network = network_key(key, net)?;
                        once(&mut seen, &path, network.name(), net)?;
                        o.genesis_hashes.insert(network, string(&format!("{path}[\"{net}\"]"), hash)?.into());
                    }
                }
                "maxAmount" => {
                    let mut seen = Vec::new();
                    for (asset, limit) in object(&path, v)? {
                        let value = amount(&format!("{path}[\"{asset}\"]"), limit)?;
                        if asset.eq_ignore_ascii_case("vara") {
                            once(&mut seen, &path, "VARA", asset)?;
                            o.policy.max_native =
                                to_u128(value, "options.maxAmount.VARA").map_err(|e| invalid(e.message))?;
                        } else {
                            let program = AccountId::from_hex(asset).map_err(|_| {
                                invalid(format!(
                                    "options.maxAmount key \"{asset}\" is neither \"VARA\" nor a 0x-prefixed 32-byte program id{}",
                                    if edit_distance(&asset.to_ascii_lowercase(), "vara") <= 2 { ", did you mean \"VARA\"?" } else { "" }
                                ))
                            })?;
                            once(&mut seen, &path, &program.to_hex(), asset)?;
                            o.policy.max_tokens.push((program, value));
                        }
                    }
                }
                "networks" => {
                    let (mut seen, mut networks) = (Vec::new(), Vec::new());
                    for n in string_list(&path, v)? {
                        let network = Network::parse(&n).map_err(|e| invalid(format!("{path}: {}", e.message)))?;
                        once(&mut seen, &path, network.name(), &n)?;
                        networks.push(network);
                    }
                    o.policy.networks = networks;
                    o.policy.networks_from = NetworksFrom::Listed;
                }
                "recipients" => {
                    let (mut seen, mut recipients) = (Vec::new(), Vec::new());
                    for (i, r) in string_list(&path, v)?.iter().enumerate() {
                        let id = AccountId::parse(r).map_err(|e| invalid(format!("{path}[{i}]: {}", e.message)))?;
                        once(&mut seen, &path, &id.to_hex(), r)?;
                        recipients.push(id);
                    }
                    o.policy.recipients = Some(recipients);
                }
                "eraPeriod" => {
                    let p = small_integer(&path, v, 4..=MAX_ERA_PERIOD)?;
                    if !p.is_power_of_two() {
                        return Err(invalid(format!(
                            "{path} must be a power of two (the chain rounds it up): {p} would be used as {}",
                            p.next_power_of_two()
                        )));
                    }
                    o.build.era_period = p;
                }
                "tip" => o.build.tip = to_u128(amount(&path, v)?, &path).map_err(|e| invalid(e.message))?,
                "gasLimit" => {
                    o.build.gas_limit = match v {
                        Value::String(s) if s == "calculate" => o.build.gas_limit,
                        Value::String(s) if s == "max" => GasLimit::Max,
                        Value::Number(n) if n.as_u64().is_some_and(|g| g > 0) => {
                            GasLimit::Fixed(n.as_u64().unwrap_or(0))
                        }
                        other => {
                            return Err(invalid(format!(
                                "{path} must be \"calculate\", \"max\" or a positive integer, got {}",
                                kind(other)
                            )))
                        }
                    }
                }
                "gasMarginPercent" => {
                    gas_margin = Some(small_integer(&path, v, 0..=MAX_GAS_MARGIN_PERCENT as u64)? as u32);
                }
                "checkExistentialDeposit" => o.build.check_existential_deposit = boolean(&path, v)?,
                "timeoutMs" => o.timeout_ms = small_integer(&path, v, 1..=600_000)? as u32,
                "turnTimeoutMs" => o.turn_timeout_ms = small_integer(&path, v, 100..=600_000)? as u32,
                "confirmWaitMs" => o.confirm_wait_ms = small_integer(&path, v, 0..=600_000)? as u32,
                "budget" => o.budget = Some(budget(&path, v)?),
                "bodyTimeoutMs" => o.body_timeout_ms = small_integer(&path, v, 1..=600_000)? as u32,
                // Off by default: a lying node could choose the call that gets signed.
                "trustNodeMetadata" => {
                    o.build.layout = if boolean(&path, v)? { Layout::NodeMetadata } else { Layout::Pinned }
                }
                // Absent: mode 1 on the public networks only (see vara::metadata_hash::Mode).
                "metadataHash" => {
                    o.build.metadata_hash =
                        if boolean(&path, v)? { MetadataHashMode::Always } else { MetadataHashMode::Never }
                }
                other if PLATFORM_KEYS.contains(&other) => {}
                other if HOOK_KEYS.contains(&other) => {
                    return Err(invalid(format!("{path} must be a function, got {}", kind(v))));
                }
                other => {
                    let known: Vec<&str> = DATA_KEYS.iter().chain(HOOK_KEYS).chain(PLATFORM_KEYS).copied().collect();
                    return Err(invalid(format!("unknown option \"{other}\"{}", suggestion(other, &known))));
                }
            }
        }
        // gasMarginPercent applies to "calculate", whichever key came first.
        if let (Some(m), GasLimit::Calculate { margin_percent }) = (gas_margin, &mut o.build.gas_limit) {
            *margin_percent = m;
        }
        for network in o.rpc_urls.keys().chain(o.genesis_hashes.keys()) {
            o.endpoint(*network)?;
        }
        // Options that configure some networks, without `networks`, pay on those only: an app
        // set up for the testnet must not pay on mainnet because a seller asks for it.
        if o.policy.networks_from == NetworksFrom::Default {
            let configured: Vec<Network> = Network::ALL
                .into_iter()
                .filter(|n| o.rpc_urls.contains_key(n) || o.genesis_hashes.contains_key(n))
                .collect();
            if !configured.is_empty() {
                o.policy.networks = configured;
                o.policy.networks_from = NetworksFrom::Configured;
            }
        }
        Ok(o)
    }

    /// Where to reach `network`: the caller's URLs (or the public one) and expected genesis.
    pub fn endpoint(&self, network: Network) -> Result<Endpoint> {
        let urls = self.rpc_urls.get(&network).map(Vec::as_slice).unwrap_or(&[]);
        Endpoint::new(network, urls, self.genesis_hashes.get(&network).map(String::as_str))
            .map_err(|e| invalid(format!("{} (network {})", e.message, network.name())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    fn parse(v: Value) -> Result<ClientOptions> {
        ClientOptions::from_json(&v, &[])
    }

    fn message(v: Value) -> String {
        let e = parse(v).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidOptions);
        e.message
    }

    #[test]
    fn misspelled_keys_are_refused_with_a_suggestion() {
        assert!(message(json!({"recipient": []})).contains("did you mean \"recipients\""));
        assert!(message(json!({"rpcUrl": "http://x"})).contains("did you mean \"rpcUrls\""));
        assert!(message(json!({"genesisHash": "0x00"})).contains("did you mean \"genesisHashes\""));
        assert!(message(json!({"rpcUrls": {"testnet": "http://x"}})).contains("did you mean \"vara-testnet\""));
        assert!(message(json!({"maxAmount": {"VRA": "1"}})).contains("did you mean \"VARA\""));
        let e = ClientOptions::from_json(&json!({}), &["onBeforePay".into()]).unwrap_err();
        assert!(e.message.contains("did you mean \"onBeforePayment\""), "{}", e.message);
    }

    #[test]
    fn values_are_exact_or_refused_by_field() {
        let o = parse(json!({"maxAmount": {"VARA": 100_000_000_000u64}})).unwrap();
        assert_eq!(o.policy.max_native, 100_000_000_000);
        let o = parse(json!({"maxAmount": {"vara": "5"}})).unwrap();
        assert_eq!(o.policy.max_native, 5);
        assert!(message(json!({"maxAmount": {"VARA": 1e20}})).contains("options.maxAmount[\"VARA\"]"));
        assert!(message(json!({"maxAmount": {"VARA": "0.1"}})).contains("whole number"));
        assert!(message(json!({"eraPeriod": 100})).contains("would be used as 128"));
        assert_eq!(parse(json!({"eraPeriod": 128})).unwrap().build.era_period, 128);
        assert!(message(json!({"gasMarginPercent": 4294967200u64})).contains("options.gasMarginPercent"));
        assert!(message(json!({"timeoutMs": "10"})).contains("options.timeoutMs"));
        assert!(message(json!({"bodyTimeoutMs": 0})).contains("options.bodyTimeoutMs"));
        assert!(message(json!({"rpcUrls": {"vara": "wss://x"}})).contains("http(s)"));
    }

    #[test]
    fn rpc_urls_take_one_or_many_and_caip2_keys() {
        let o = parse(json!({
            "rpcUrls": {"vara-testnet": ["http://a", "http://b"], "polkadot:fe1b4c55fd4d668101126434206571a7": "http://c"},
            "gasLimit": "calculate", "gasMarginPercent": 50,
        }))
        .unwrap();
        assert_eq!(o.endpoint(Network::VaraTestnet).unwrap().rpc_urls, ["http://a", "http://b"]);
        assert_eq!(o.endpoint(Network::Vara).unwrap().rpc_urls, ["http://c"]);
        assert_eq!(o.build.gas_limit, GasLimit::Calculate { margin_percent: 50 });
    }

    #[test]
    fn one_thing_named_twice_is_refused() {
        let m = message(json!({"maxAmount": {"VARA": "1", "vara": "999999999999"}}));
        assert!(m.contains("options.maxAmount names VARA twice, as \"VARA\" and \"vara\""), "{m}");
        assert!(m.contains("did you mean \"VARA\" alone?"), "{m}");
        let (upper, lower) = (format!("0x{}", "AB".repeat(32)), format!("0x{}", "ab".repeat(32)));
        let m = message(json!({"maxAmount": {upper.clone(): "1", lower.clone(): "2"}}));
        assert!(m.contains(&format!("names {lower} twice, as \"{upper}\" and \"{lower}\"")), "{m}");
        let testnet = Network::VaraTestnet.caip2();
        let m = message(json!({"rpcUrls": {"vara-testnet": "http://a", testnet: "http://b"}}));
        assert!(
            m.contains(&format!("options.rpcUrls names vara-testnet twice, as \"{testnet}\" and \"vara-testnet\"")),
            "{m}"
        );
        assert!(m.contains("did you mean \"vara-testnet\" alone?"), "{m}");
        let m = message(json!({"genesisHashes": {testnet: "0x00", "vara-testnet": "0x01"}}));
        assert!(m.contains("options.genesisHashes names vara-testnet twice"), "{m}");
        assert!(
            message(json!({"networks": ["vara", Network::Vara.caip2()]})).contains("options.networks names vara twice")
        );
        let alice = "kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW";
        let alice_hex = AccountId::parse(alice).unwrap().to_hex();
        let m = message(json!({"recipients": [alice, alice_hex.clone()]}));
        assert!(m.contains(&format!("options.recipients names {alice_hex} twice, as \"{alice}\"")), "{m}");
        // Different things, each once: accepted.
        let o = parse(json!({"maxAmount": {"VARA": "1", upper: "2"}, "networks": ["vara", testnet]})).unwrap();
        assert_eq!((o.policy.max_native, o.policy.networks.len()), (1, 2));
    }

    #[test]
    fn networks_configured_without_networks_are_the_ones_paid() {
        assert_eq!(parse(json!({})).unwrap().policy.networks, [Network::Vara, Network::VaraTestnet]);
        assert_eq!(parse(json!({"rpcUrls": {}})).unwrap().policy.networks_from, NetworksFrom::Default);
        let o = parse(json!({"rpcUrls": {"vara-testnet": "http://a"}, "genesisHashes": {"vara-testnet": format!("0x{}", "45".repeat(32))}}))
            .unwrap();
        assert_eq!(
            (o.policy.networks.as_slice(), o.policy.networks_from),
            ([Network::VaraTestnet].as_slice(), NetworksFrom::Configured)
        );
        let o = parse(json!({"genesisHashes": {Network::Vara.caip2(): format!("0x{}", "45".repeat(32))}})).unwrap();
        assert_eq!(o.policy.networks, [Network::Vara]);
        let both = parse(
            json!({"rpcUrls": {"vara": "http://a"}, "genesisHashes": {"vara-testnet": format!("0x{}", "45".repeat(32))}}),
        );
        assert_eq!(both.unwrap().policy.networks, [Network::Vara, Network::VaraTestnet]);
        // `networks` decides, in whichever order the keys come.
        for o in [
            json!({"networks": ["vara"], "rpcUrls": {"vara-testnet": "http://a"}}),
            json!({"rpcUrls": {"vara-testnet": "http://a"}, "networks": ["vara"]}),
        ] {
            let o = parse(o).unwrap();
            assert_eq!(
                (o.policy.networks.as_slice(), o.policy.networks_from),
                ([Network::Vara].as_slice(), NetworksFrom::Listed)
            );
        }
    }

    #[test]
    fn suggestions_are_only_made_when_close() {
        assert!(suggestion("zzzzzzzzzzzz", DATA_KEYS).starts_with(" (known:"));
        assert_eq!(edit_distance("recipient", "recipients"), 1);
    }
}
