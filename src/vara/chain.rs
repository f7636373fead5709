//! What the client reads from a node, and the per-endpoint cache that makes a warm payment
//! cost one round trip (header + nonce + runtime version in one batch).

use crate::error::{Error, ErrorCode, Result};
use crate::hexutil;
use crate::vara::address::AccountId;
use crate::vara::hashing::{blake2_128, blake2_256, twox_128};
use crate::vara::metadata::{self, RuntimeFacts};
use crate::vara::network::Endpoint;
use crate::vara::rpc::{Call, RpcClient, Transport};
use parity_scale_codec::{Compact, Encode};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Facts about a chain that only change with a runtime upgrade.
#[derive(Debug)]
pub struct ChainState {
    pub genesis_hash: [u8; 32],
    pub spec_version: u32,
    pub transaction_version: u32,
    pub facts: RuntimeFacts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRef {
    pub number: u32,
    pub hash: [u8; 32],
}

/// Everything needed to build one payment from `payer`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub chain: Rc<ChainState>,
    pub best: BlockRef,
    pub nonce: u32,
    /// Whether the recipient account exists, when it was asked for in the same batch.
    pub recipient_exists: Option<bool>,
}

struct EndpointCache {
    rpc: Rc<RpcClient>,
    state: Option<Rc<ChainState>>,
}

/// One per application: caches per RPC URL.
#[derive(Default)]
pub struct ChainClient {
    endpoints: RefCell<HashMap<String, EndpointCache>>,
}

fn bad_answer(what: &str) -> Error {
    Error::new(ErrorCode::RpcError, format!("unexpected answer to {what}"))
}

impl ChainClient {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn rpc(&self, url: &str) -> Rc<RpcClient> {
        let mut map = self.endpoints.borrow_mut();
        map.entry(url.to_string())
            .or_insert_with(|| EndpointCache { rpc: Rc::new(RpcClient::new(url)), state: None })
            .rpc
            .clone()
    }

    /// The cached facts of an endpoint, checked against the genesis this caller expects
    /// (two callers may expect different chains behind one URL).
    fn cached(&self, endpoint: &Endpoint) -> Result<Option<Rc<ChainState>>> {
        let state = self.endpoints.borrow().get(&endpoint.rpc_url).and_then(|c| c.state.clone());
        match state {
            Some(s) if s.genesis_hash != endpoint.genesis_hash => Err(wrong_chain(endpoint, &s.genesis_hash)),
            other => Ok(other),
        }
    }

    fn store(&self, url: &str, state: Rc<ChainState>) {
        if let Some(c) = self.endpoints.borrow_mut().get_mut(url) {
            c.state = Some(state);
        }
    }

    /// Chain facts only (no payer): for verifying headers.
    pub async fn chain_state<T: Transport>(&self, t: &T, endpoint: &Endpoint) -> Result<Rc<ChainState>> {
        if let Some(s) = self.cached(endpoint)? {
            return Ok(s);
        }
        let rpc = self.rpc(&endpoint.rpc_url);
        let answers = rpc.batch(t, &cold_calls()).await?;
        let state = Rc::new(chain_state_from(endpoint, &answers[0], &answers[1], &answers[2])?);
        self.store(&endpoint.rpc_url, state.clone());
        Ok(state)
    }

    /// The latest block and the payer's next nonce, with the (cached) chain facts.
    /// Cold: one batch of five calls. Warm: one batch of three; a runtime upgrade seen in it
    /// costs one more call (the new metadata). When warm, `probe_recipient = (who, amount)`
    /// asks in the same batch whether `who` exists, if `amount` is below the existential deposit.
    pub async fn snapshot<T: Transport>(
        &self,
        t: &T,
        endpoint: &Endpoint,
        payer: &AccountId,
        ss58: u16,
        probe_recipient: Option<(&AccountId, u128)>,
    ) -> Result<Snapshot> {
        let rpc = self.rpc(&endpoint.rpc_url);
        let per_payment = [
            Call::new("chain_getHeader", json!([])),
            Call::new("system_accountNextIndex", json!([payer.to_ss58(ss58)])),
        ];
        let mut recipient_exists = None;
        let (chain, header, nonce) = match self.cached(endpoint)? {
            Some(cached) => {
                let mut calls = per_payment.to_vec();
                calls.push(Call::new("state_getRuntimeVersion", json!([])));
                let probe = probe_recipient.filter(|(_, amount)| *amount < cached.facts.existential_deposit);
                if let Some((who, _)) = probe {
                    calls.push(account_storage_call(who));
                }
                let mut a = rpc.batch(t, &calls).await?;
                if probe.is_some() {
                    recipient_exists = a.pop().map(|v| !v.is_null());
                }
                let (spec, _) = runtime_version(&a[2])?;
                let chain = if spec == cached.spec_version {
                    cached
                } else {
                    let metadata = rpc.call(t, &Call::new("state_getMetadata", json!([]))).await?;
                    let genesis = Value::String(hexutil::encode(&cached.genesis_hash));
                    let fresh = Rc::new(chain_state_from(endpoint, &genesis, &a[2], &metadata)?);
                    self.store(&endpoint.rpc_url, fresh.clone());
                    fresh
                };
                (chain, a.remove(0), a.remove(0))
            }
            None => {
                let mut calls = cold_calls().to_vec();
                calls.extend(per_payment);
                let a = rpc.batch(t, &calls).await?;
                let chain = Rc::new(chain_state_from(endpoint, &a[0], &a[1], &a[2])?);
                self.store(&endpoint.rpc_url, chain.clone());
                (chain, a[3].clone(), a[4].clone())
            }
        };
        let nonce =
            nonce.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| bad_answer("system_accountNextIndex"))?;
        let mut best = header_ref(&header)?;
        if best.number == 0 {
            // Block 0's hash is, by definition, the genesis hash the node reports (dev chains
            // such as chopsticks report one that is not the hash of the header they serve).
            best.hash = chain.genesis_hash;
        }
        Ok(Snapshot { chain, best, nonce, recipient_exists })
    }

    /// Whether an account exists on chain (has a `System.Account` entry).
    pub async fn account_exists<T: Transport>(&self, t: &T, endpoint: &Endpoint, who: &AccountId) -> Result<bool> {
        let v = self.rpc(&endpoint.rpc_url).call(t, &account_storage_call(who)).await?;
        Ok(!v.is_null())
    }

    /// Asks the node how much gas a message needs (`gear_calculateHandleGas`) and returns
    /// its `min_limit`.
    pub async fn calculate_handle_gas<T: Transport>(
        &self,
        t: &T,
        endpoint: &Endpoint,
        source: &AccountId,
        program: &AccountId,
        payload: &[u8],
    ) -> Result<u64> {
        let params = json!([source.to_hex(), program.to_hex(), hexutil::encode(payload), 0, true]);
        let v = self.rpc(&endpoint.rpc_url).call(t, &Call::new("gear_calculateHandleGas", params)).await?;
        let min = v.get("min_limit").and_then(Value::as_u64).ok_or_else(|| bad_answer("gear_calculateHandleGas"))?;
        Ok(min)
    }
}

/// `state_getStorage` of `System.Account(who)`: null when the account does not exist.
fn account_storage_call(who: &AccountId) -> Call {
    let mut key = twox_128(b"System").to_vec();
    key.extend_from_slice(&twox_128(b"Account"));
    key.extend_from_slice(&blake2_128(&who.0));
    key.extend_from_slice(&who.0);
    Call::new("state_getStorage", json!([hexutil::encode(&key)]))
}

fn cold_calls() -> [Call; 3] {
    [
        Call::new("chain_getBlockHash", json!([0])),
        Call::new("state_getRuntimeVersion", json!([])),
        Call::new("state_getMetadata", json!([])),
    ]
}

fn chain_state_from(endpoint: &Endpoint, genesis: &Value, version: &Value, metadata: &Value) -> Result<ChainState> {
    let genesis_hash = genesis
        .as_str()
        .and_then(|s| hexutil::decode_fixed::<32>(s).ok())
        .ok_or_else(|| bad_answer("chain_getBlockHash"))?;
    if genesis_hash != endpoint.genesis_hash {
        return Err(wrong_chain(endpoint, &genesis_hash));
    }
    let (spec_version, transaction_version) = runtime_version(version)?;
    let bytes =
        metadata.as_str().and_then(|s| hexutil::decode(s).ok()).ok_or_else(|| bad_answer("state_getMetadata"))?;
    let facts = metadata::decode(&bytes)?;
    Ok(ChainState { genesis_hash, spec_version, transaction_version, facts })
}

fn wrong_chain(endpoint: &Endpoint, genesis_hash: &[u8; 32]) -> Error {
    Error::new(
        ErrorCode::WrongChain,
        format!(
            "{} is on chain {} but network {} has genesis {}",
            endpoint.rpc_url,
            hexutil::encode(genesis_hash),
            endpoint.network.name(),
            hexutil::encode(&endpoint.genesis_hash)
        ),
    )
}

fn runtime_version(v: &Value) -> Result<(u32, u32)> {
    let field = |name: &str| v.get(name).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    match (field("specVersion"), field("transactionVersion")) {
        (Some(s), Some(t)) => Ok((s, t)),
        _ => Err(bad_answer("state_getRuntimeVersion")),
    }
}

/// A header's number and hash; the hash is blake2-256 of the SCALE-encoded header.
pub fn header_ref(header: &Value) -> Result<BlockRef> {
    let hex32 = |name: &str| header.get(name).and_then(Value::as_str).and_then(|s| hexutil::decode_fixed::<32>(s).ok());
    let number = header.get("number").and_then(Value::as_str).and_then(|s| hexutil::decode_be(s).ok());
    let logs = header.pointer("/digest/logs").and_then(Value::as_array);
    let (Some(parent), Some(number), Some(state), Some(extrinsics), Some(logs)) =
        (hex32("parentHash"), number, hex32("stateRoot"), hex32("extrinsicsRoot"), logs)
    else {
        return Err(bad_answer("chain_getHeader"));
    };
    let number = u32::try_from(number).map_err(|_| bad_answer("chain_getHeader"))?;
    let mut encoded = parent.to_vec();
    Compact(number).encode_to(&mut encoded);
    encoded.extend_from_slice(&state);
    encoded.extend_from_slice(&extrinsics);
    Compact(logs.len() as u32).encode_to(&mut encoded);
    for log in logs {
        let bytes = log.as_str().and_then(|s| hexutil::decode(s).ok()).ok_or_else(|| bad_answer("chain_getHeader"))?;
        encoded.extend_from_slice(&bytes);
    }
    Ok(BlockRef { number, hash: blake2_256(&encoded) })
}
