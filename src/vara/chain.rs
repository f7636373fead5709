//! What the client reads from a node, and the per-chain cache that lets a warm payment skip
//! the node entirely.
//!
//! Trust boundary: everything here comes from RPC nodes, which may be slow, dead, on another
//! chain, or lying. Each endpoint is held to the expected genesis hash before its answers are
//! used; a failing endpoint hands over to the next; answers are parsed strictly.
//!
//! Reads: cold, one batch (runtime version, metadata, best header, the payer's nonce and
//! account); warm, one batch of the per-payment values (+ the runtime version, and the new
//! metadata after an upgrade). A warm payment whose checkpoint block is fresh and whose
//! payer's nonce is tracked by its [`Lane`] reads nothing at all.

use crate::error::{Error, ErrorCode, Result};
use crate::hexutil;
use crate::json::Value;
use crate::vara::address::AccountId;
use crate::vara::hashing::{blake2_128, twox_128};
use crate::vara::metadata::{self, RuntimeFacts};
use crate::vara::metadata_hash;
use crate::vara::network::Endpoint;
use crate::vara::nonces::{Lane, Lanes};
use crate::vara::rpc::{Call, RpcClient, Transport};
use crate::vara::vft::TokenFacts;
use crate::vara::watch::Watcher;
use crate::wait::Signal;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// A checkpoint older than this is read again (at ~3 s per block on Vara, ten blocks).
pub const CHECKPOINT_MAX_AGE_MS: f64 = 30_000.0;

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

/// The block a payment's era starts at, and when it was read.
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    block: BlockRef,
    /// The best block when it was read (the checkpoint is its parent).
    best: u32,
    read_at_ms: f64,
    uses: u32,
}

/// What a payment asks of the chain.
pub struct SnapshotQuery<'a> {
    pub payer: &'a AccountId,
    /// `(who, amount)`: whether `who` exists is needed when `amount` is below the deposit.
    pub probe_recipient: Option<(&'a AccountId, u128)>,
    pub now_ms: f64,
    /// How many payments may share one checkpoint before it is read again.
    pub max_checkpoint_uses: u32,
}

/// Everything needed to build one payment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub chain: Rc<ChainState>,
    /// The era's checkpoint: the best block's parent, which a one-block reorg cannot remove.
    pub checkpoint: BlockRef,
    /// The best block seen.
    pub best: u32,
    /// Whether the recipient account exists, when it was needed.
    pub recipient_exists: Option<bool>,
    /// The payer's free balance at the last read of the node (this payment's, or a recent
    /// one's when the snapshot was cached).
    pub payer_free: Option<u128>,
    /// The payer's state nonce (`System.Account`'s, executed extrinsics only) at the block
    /// `payer_free` was read at: a payment with a lower nonce is already reflected in that
    /// balance, or can never execute.
    pub payer_nonce: Option<u32>,
    /// Whether this payment read the node at all.
    pub read_node: bool,
}

/// The metadata signers see, read once per runtime version when a payment needs it: V15 when
/// the runtime serves it (what the RFC-78 digest is computed from), else the default.
#[derive(Debug)]
pub struct SignerMetadata {
    pub bytes: Vec<u8>,
    /// The RFC-78 digest (`CheckMetadataHash` mode 1), when it was asked for.
    pub digest: Option<[u8; 32]>,
}

/// Per expected genesis hash: facts, the last checkpoint, and which endpoints were checked.
#[derive(Default)]
struct ChainCache {
    state: RefCell<Option<Rc<ChainState>>>,
    /// For one spec version; read by one payment at a time (the others wait and use it).
    signer_metadata: RefCell<Option<(u32, Rc<SignerMetadata>)>>,
    metadata_reading: Cell<bool>,
    metadata_read: Signal,
    checkpoint: Cell<Option<Checkpoint>>,
    /// Recipients seen to exist (an account is rarely reaped; a refusal clears this).
    existing: RefCell<HashSet<AccountId>>,
    /// The endpoint that answered last: tried first next time.
    preferred: RefCell<Option<String>>,
    /// Per payer: the free balance and the state nonce at the last read (a warm payment is
    /// held to it).
    balances: RefCell<HashMap<AccountId, Account>>,
    /// One read at a time: concurrent payments wait for it and use what it read.
    reading: Cell<bool>,
    read_done: Signal,
    /// What each token's program said it is (a program's code never changes).
    tokens: RefCell<Vec<(AccountId, Rc<TokenFacts>)>>,
}

/// One per application (one JS realm): chains, endpoints and payers' nonce lanes.
#[derive(Default)]
pub struct ChainClient {
    rpcs: RefCell<HashMap<String, Rc<RpcClient>>>,
    chains: RefCell<HashMap<[u8; 32], Rc<ChainCache>>>,
    pub lanes: Lanes,
    /// One chain watcher per expected genesis hash.
    watchers: RefCell<HashMap<[u8; 32], Rc<Watcher>>>,
}

fn bad_answer(what: &str) -> Error {
    Error::new(ErrorCode::RpcError, format!("unexpected answer to {what}"))
}

/// Clears `metadata_reading` however a read ends.
struct MetadataReadGuard<'a>(&'a ChainCache);

impl Drop for MetadataReadGuard<'_> {
    fn drop(&mut self) {
        self.0.metadata_reading.set(false);
        self.0.metadata_read.notify_all();
    }
}

/// Clears `reading` however a read ends (error, abort, success).
struct ReadGuard<'a>(&'a ChainCache);

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        self.0.reading.set(false);
        self.0.read_done.notify_all();
    }
}

impl ChainClient {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn rpc(&self, url: &str) -> Rc<RpcClient> {
        self.rpcs.borrow_mut().entry(url.to_string()).or_insert_with(|| Rc::new(RpcClient::new(url))).clone()
    }

    /// JSON-RPC round trips made so far, all endpoints together (for benchmarks).
    pub fn round_trips(&self) -> u32 {
        self.rpcs.borrow().values().map(|r| r.round_trips.get()).sum()
    }

    fn cache(&self, endpoint: &Endpoint) -> Rc<ChainCache> {
        self.chains.borrow_mut().entry(endpoint.genesis_hash).or_default().clone()
    }

    /// The watcher that confirms payments on `endpoint`'s chain.
    pub fn watcher(&self, endpoint: &Endpoint) -> Rc<Watcher> {
        self.watchers.borrow_mut().entry(endpoint.genesis_hash).or_default().clone()
    }

    /// Runs `calls` on the first endpoint of the chain that answers them well (see
    /// [`Self::on_any_endpoint`]).
    pub async fn on_any_endpoint_of<T: Transport, R>(
        &self,
        t: &T,
        endpoint: &Endpoint,
        calls: &[Call],
        parse: impl Fn(Vec<Value>) -> Result<R>,
    ) -> Result<R> {
        self.on_any_endpoint(t, endpoint, &self.cache(endpoint), calls, parse).await
    }

    pub fn lane(&self, endpoint: &Endpoint, payer: &AccountId) -> Rc<Lane> {
        self.lanes.lane(endpoint.genesis_hash, *payer)
    }

    /// Gives back the nonce of a payment handed out and then not taken (see [`Lane::release`]).
    pub fn release(&self, genesis: [u8; 32], payer: AccountId, nonce: u32) {
        self.lanes.lane(genesis, payer).release(nonce);
    }

    /// What `program` said of itself on this chain, when it was asked before.
    pub fn token(&self, endpoint: &Endpoint, program: &AccountId) -> Option<Rc<TokenFacts>> {
        self.cache(endpoint).tokens.borrow().iter().find(|(p, _)| p == program).map(|(_, f)| f.clone())
    }

    pub fn remember_token(&self, endpoint: &Endpoint, program: AccountId, facts: TokenFacts) -> Rc<TokenFacts> {
        let facts = Rc::new(facts);
        self.cache(endpoint).tokens.borrow_mut().push((program, facts.clone()));
        facts
    }

    /// Forgets what a refused payment may have relied on: the checkpoint and the recipients
    /// known to exist are read again next time.
    pub fn distrust(&self, endpoint: &Endpoint) {
        let cache = self.cache(endpoint);
        cache.checkpoint.set(None);
        cache.existing.borrow_mut().clear();
    }

    /// Runs `calls` on the first endpoint that answers them well: it must be on the expected
    /// chain (checked in the same batch, every time: what serves a URL can change, and a node
    /// that has moved to another chain would hand out its nonces and blocks) and `parse` must
    /// accept its answers. An abort stops at once; otherwise every endpoint is tried before
    /// giving up.
    async fn on_any_endpoint<T: Transport, R>(
        &self,
        t: &T,
        endpoint: &Endpoint,
        cache: &ChainCache,
        calls: &[Call],
        parse: impl Fn(Vec<Value>) -> Result<R>,
    ) -> Result<R> {
        let preferred = cache.preferred.borrow().clone();
        let mut urls: Vec<&String> = endpoint.rpc_urls.iter().collect();
        if let Some(i) = preferred.and_then(|p| urls.iter().position(|u| **u == p)) {
            urls[..=i].rotate_right(1);
        }
        let mut failures: Vec<(String, Error)> = Vec::new();
        for url in urls {
            let mut batch = Vec::with_capacity(calls.len() + 1);
            batch.push(Call::new("chain_getBlockHash", Value::Array(vec![0u64.into()])));
            batch.extend_from_slice(calls);
            let attempt = async {
                let mut answers = self.rpc(url).batch(t, &batch).await?;
                check_genesis(endpoint, url, &answers.remove(0))?;
                parse(answers)
            };
            match attempt.await {
                Ok(r) => {
                    *cache.preferred.borrow_mut() = Some(url.clone());
                    return Ok(r);
                }
                Err(e) if e.code == ErrorCode::Aborted => return Err(e),
                Err(e) => failures.push((url.clone(), e)),
            }
        }
        let error = all_failed(failures);
        // The public node, not reached: the caller may not know it can choose another.
        if endpoint.rpc_urls == [endpoint.network.default_rpc_url()] && error.code != ErrorCode::Aborted {
            let message = format!(
                "{} (the network's public node: set options.rpcUrls for another, such as a local chain)",
                error.message
            );
            return Err(error.reworded(message));
        }
        Err(error)
    }

    /// Chain facts only (no payer), with the runtime version checked now: a server verifying
    /// headers must not judge them by a runtime that has since been upgraded.
    pub async fn chain_state<T: Transport>(&self, t: &T, endpoint: &Endpoint) -> Result<Rc<ChainState>> {
        let cache = self.cache(endpoint);
        let cached = cache.state.borrow().clone();
        let mut calls = vec![Call::new("state_getRuntimeVersion", Value::Array(vec![]))];
        if cached.is_none() {
            calls.push(Call::new("state_getMetadata", Value::Array(vec![])));
        }
        let (version, metadata) = self
            .on_any_endpoint(t, endpoint, &cache, &calls, |mut a| {
                let metadata = if a.len() > 1 { a.pop().map(|m| decode_metadata(&m)).transpose()? } else { None };
                Ok((runtime_version(&a[0])?, metadata))
            })
            .await?;
        self.current_state(t, endpoint, &cache, cached, version, metadata).await
    }

    /// The cached state if it is for `version`, else one built from `metadata` (or from
    /// metadata read now, after a runtime upgrade). Metadata is decoded where it is read, so
    /// a node whose metadata does not decode hands over to the next endpoint.
    async fn current_state<T: Transport>(
        &self,
        t: &T,
        endpoint: &Endpoint,
        cache: &ChainCache,
        cached: Option<Rc<ChainState>>,
        version: (u32, u32),
        metadata: Option<RuntimeFacts>,
    ) -> Result<Rc<ChainState>> {
        if let Some(s) = cached.filter(|s| (s.spec_version, s.transaction_version) == version) {
            return Ok(s);
        }
        let facts = match metadata {
            Some(facts) => facts,
            None => {
                let call = [Call::new("state_getMetadata", Value::Array(vec![]))];
                self.on_any_endpoint(t, endpoint, cache, &call, |a| decode_metadata(&a[0])).await?
            }
        };
        let state = Rc::new(ChainState {
            genesis_hash: endpoint.genesis_hash,
            spec_version: version.0,
            transaction_version: version.1,
            facts,
        });
        *cache.state.borrow_mut() = Some(state.clone());
        Ok(state)
    }

    /// What a payment from `q.payer` needs. Reads nothing when the checkpoint is fresh, the
    /// payer's nonce is tracked and no recipient check is due; otherwise one batch (two after a
    /// runtime upgrade). Concurrent payments share one read.
    pub async fn snapshot<T: Transport>(&self, t: &T, endpoint: &Endpoint, q: &SnapshotQuery<'_>) -> Result<Snapshot> {
        let cache = self.cache(endpoint);
        let lane = self.lane(endpoint, q.payer);
        loop {
            if let Some(snap) = self.cached_snapshot(&cache, &lane, q) {
                return Ok(snap);
            }
            if !cache.reading.get() {
                break;
            }
            cache.read_done.until(|| (!cache.reading.get()).then_some(())).await;
        }
        cache.reading.set(true);
        let _guard = ReadGuard(&cache);
        self.read(t, endpoint, &cache, &lane, q).await
    }

    fn cached_snapshot(&self, cache: &ChainCache, lane: &Lane, q: &SnapshotQuery<'_>) -> Option<Snapshot> {
        let chain = cache.state.borrow().clone()?;
        let mut cp = cache.checkpoint.get()?;
        if q.now_ms - cp.read_at_ms > CHECKPOINT_MAX_AGE_MS || cp.uses >= q.max_checkpoint_uses {
            return None;
        }
        if lane.needs_chain_nonce() {
            return None;
        }
        let recipient_exists = match q.probe_recipient {
            Some((who, amount)) if amount < chain.facts.existential_deposit => {
                cache.existing.borrow().contains(who).then_some(true)?;
                Some(true)
            }
            _ => None,
        };
        // The balance the last read found: a warm payment is held to it (less the payer's
        // pending payments, which the payment counts) as a cold one is, without a read.
        let account = cache.balances.borrow().get(q.payer).copied();
        cp.uses += 1;
        cache.checkpoint.set(Some(cp));
        Some(Snapshot {
            chain,
            checkpoint: cp.block,
            best: cp.best,
            recipient_exists,
            payer_free: account.map(|a| a.free),
            payer_nonce: account.map(|a| a.nonce),
            read_node: false,
        })
    }

    async fn read<T: Transport>(
        &self,
        t: &T,
        endpoint: &Endpoint,
        cache: &ChainCache,
        lane: &Lane,
        q: &SnapshotQuery<'_>,
    ) -> Result<Snapshot> {
        let cached = cache.state.borrow().clone();
        let mut calls = vec![
            Call::new("state_getRuntimeVersion", Value::Array(vec![])),
            Call::new("chain_getHeader", Value::Array(vec![])),
            Call::new(
                "system_accountNextIndex",
                Value::Array(vec![q.payer.to_ss58(endpoint.network.ss58_prefix()).into()]),
            ),
            account_storage_call(q.payer),
        ];
        let probe = q.probe_recipient.filter(|(_, amount)| match &cached {
            Some(s) => *amount < s.facts.existential_deposit,
            None => true, // the deposit is not known yet: ask anyway, it costs no round trip
        });
        if let Some((who, _)) = probe {
            calls.push(account_storage_call(who));
        }
        if cached.is_none() {
            calls.push(Call::new("state_getMetadata", Value::Array(vec![])));
        }
        let read = self
            .on_any_endpoint(t, endpoint, cache, &calls, |mut a| {
                let metadata = if cached.is_none() { a.pop().map(|m| decode_metadata(&m)).transpose()? } else { None };
                let recipient_exists = match probe {
                    Some(_) => a.pop().map(|v| account_exists(&v)).transpose()?,
                    None => None,
                };
                Ok(PerPayment {
                    version: runtime_version(&a[0])?,
                    header: header_of(&a[1])?,
                    nonce: next_index(&a[2])?,
                    payer: account_state(&a[3])?,
                    recipient_exists,
                    metadata,
                })
            })
            .await?;
        let chain = self.current_state(t, endpoint, cache, cached, read.version, read.metadata).await?;
        let (best, checkpoint) = read.header;
        // Block 0's hash is, by definition, the genesis hash the node reports (dev chains such
        // as chopsticks report one that is not the hash of the header they serve).
        let checkpoint =
            if checkpoint.number == 0 { BlockRef { number: 0, hash: chain.genesis_hash } } else { checkpoint };
        cache.checkpoint.set(Some(Checkpoint { block: checkpoint, best, read_at_ms: q.now_ms, uses: 1 }));
        lane.observe(read.nonce, best as u64);
        cache.balances.borrow_mut().insert(*q.payer, read.payer);
        if let (Some((who, _)), Some(true)) = (probe, read.recipient_exists) {
            cache.existing.borrow_mut().insert(*who);
        }
        let recipient_exists = match q.probe_recipient {
            Some((_, amount)) if amount < chain.facts.existential_deposit => read.recipient_exists,
            _ => None,
        };
        Ok(Snapshot {
            chain,
            checkpoint,
            best,
            recipient_exists,
            payer_free: Some(read.payer.free),
            payer_nonce: Some(read.payer.nonce),
            read_node: true,
        })
    }

    /// The metadata signers see and, with `digest`, its RFC-78 digest: read and computed once
    /// per runtime version. The digest needs metadata V15 (a runtime with `CheckMetadataHash`
    /// serves it); without `digest`, a runtime that does not serve V15 gives its default.
    pub async fn signer_metadata<T: Transport>(
        &self,
        t: &T,
        endpoint: &Endpoint,
        chain: &ChainState,
        digest: bool,
    ) -> Result<Rc<SignerMetadata>> {
        let cache = self.cache(endpoint);
        let usable = || {
            let cached = cache.signer_metadata.borrow().clone();
            cached.filter(|(v, m)| *v == chain.spec_version && (m.digest.is_some() || !digest)).map(|(_, m)| m)
        };
        loop {
            if let Some(m) = usable() {
                return Ok(m);
            }
            if !cache.metadata_reading.get() {
                break;
            }
            cache.metadata_read.until(|| (!cache.metadata_reading.get()).then_some(())).await;
        }
        cache.metadata_reading.set(true);
        let _guard = MetadataReadGuard(&cache);
        let call = [Call::new(
            "state_call",
            Value::Array(vec!["Metadata_metadata_at_version".into(), hexutil::encode(&15u32.to_le_bytes()).into()]),
        )];
        let v15 = self.on_any_endpoint(t, endpoint, &cache, &call, |a| {
            let answer = a[0].as_str().and_then(|h| hexutil::decode(h).ok()).ok_or_else(|| bad_answer("state_call"))?;
            metadata_hash::from_versioned_answer(&answer)
        });
        let bytes = match (v15.await, digest) {
            (Ok(Some(bytes)), _) => bytes,
            (Err(e), _) if e.code == ErrorCode::Aborted => return Err(e),
            (Err(e), true) => return Err(e),
            (Ok(None), true) => {
                return Err(Error::new(
                    ErrorCode::UnsupportedRuntime,
                    "the runtime serves no metadata V15, so its metadata hash cannot be computed: pass options.metadataHash: false",
                ))
            }
            (_, false) => {
                let call = [Call::new("state_getMetadata", Value::Array(vec![]))];
                self.on_any_endpoint(t, endpoint, &cache, &call, |a| {
                    a[0].as_str().and_then(|h| hexutil::decode(h).ok()).ok_or_else(|| bad_answer("state_getMetadata"))
                })
                .await?
            }
        };
        let digest = match digest {
            true => {
                let d = metadata_hash::digest(&bytes, endpoint.network)?;
                if d.spec_version != chain.spec_version {
                    // The next payment reads the runtime version again.
                    cache.checkpoint.set(None);
                    return Err(Error::new(
                        ErrorCode::RpcError,
                        format!(
                            "the node's metadata is of spec version {}, its runtime version {}: the runtime changed while it was read, try again",
                            d.spec_version, chain.spec_version
                        ),
                    ));
                }
                Some(d.hash)
            }
            false => None,
        };
        let metadata = Rc::new(SignerMetadata { bytes, digest });
        *cache.signer_metadata.borrow_mut() = Some((chain.spec_version, metadata.clone()));
        Ok(metadata)
    }

    /// The node's dry runs of messages from `source` to `program`, in one round trip: for each
    /// of `handles`, the gas it needs (`gear_calculateHandleGas`'s `min_limit`); for each of
    /// `queries`, the program's reply (`gear_calculateReplyForHandle`, given `query_gas`): its
    /// bytes when the program answered with success, `None` for an error reply.
    pub async fn dry_run<T: Transport>(
        &self,
        t: &T,
        endpoint: &Endpoint,
        (source, program): (&AccountId, &AccountId),
        handles: &[Vec<u8>],
        queries: &[Vec<u8>],
        query_gas: u64,
    ) -> Result<(Vec<u64>, Vec<Option<Vec<u8>>>)> {
        let n = handles.len();
        let mut calls = Vec::with_capacity(n + queries.len());
        for (i, payload) in handles.iter().chain(queries).enumerate() {
            let mut params = vec![source.to_hex().into(), program.to_hex().into(), hexutil::encode(payload).into()];
            let (method, rest) = match i < n {
                true => ("gear_calculateHandleGas", [0u64.into(), true.into()]),
                false => ("gear_calculateReplyForHandle", [query_gas.into(), 0u64.into()]),
            };
            params.extend(rest);
            calls.push(Call::new(method, Value::Array(params)));
        }
        self.on_any_endpoint(t, endpoint, &self.cache(endpoint), &calls, |answers| {
            let (mut mins, mut replies) = (Vec::new(), Vec::new());
            for (i, a) in answers.iter().enumerate() {
                match i < n {
                    true => mins.push(min_gas(a)?),
                    false => replies.push(reply_payload(a)?),
                }
            }
            Ok((mins, replies))
        })
        .await
    }

    /// The fee the runtime would charge for `extrinsic` (a signed extrinsic; the signature
    /// need not be valid), from `TransactionPaymentApi_query_info`. The answer is a
    /// `RuntimeDispatchInfo` whose last 16 bytes are the fee, whichever weight encoding the
    /// runtime uses before it.
    pub async fn estimate_fee<T: Transport>(&self, t: &T, endpoint: &Endpoint, extrinsic: &[u8]) -> Result<u128> {
        let mut data = extrinsic.to_vec();
        data.extend_from_slice(&(extrinsic.len() as u32).to_le_bytes());
        let call = [Call::new(
            "state_call",
            Value::Array(vec!["TransactionPaymentApi_query_info".into(), hexutil::encode(&data).into()]),
        )];
        self.on_any_endpoint(t, endpoint, &self.cache(endpoint), &call, |a| partial_fee(&a[0])).await
    }
}

/// The fee at the end of a SCALE `RuntimeDispatchInfo`.
pub(crate) fn partial_fee(answer: &Value) -> Result<u128> {
    let bytes = answer
        .as_str()
        .and_then(|h| hexutil::decode(h).ok())
        .filter(|b| b.len() >= 17)
        .ok_or_else(|| bad_answer("TransactionPaymentApi_query_info"))?;
    let mut fee = [0u8; 16];
    fee.copy_from_slice(&bytes[bytes.len() - 16..]);
    Ok(u128::from_le_bytes(fee))
}

struct PerPayment {
    version: (u32, u32),
    /// The best block's number, and its parent.
    header: (u32, BlockRef),
    nonce: u32,
    payer: Account,
    recipient_exists: Option<bool>,
    metadata: Option<RuntimeFacts>,
}

/// `state_getStorage` of `System.Account(who)`: null when the account does not exist.
fn account_storage_call(who: &AccountId) -> Call {
    let mut key = twox_128(b"System").to_vec();
    key.extend_from_slice(&twox_128(b"Account"));
    key.extend_from_slice(&blake2_128(&who.0));
    key.extend_from_slice(&who.0);
    Call::new("state_getStorage", Value::Array(vec![hexutil::encode(&key).into()]))
}

/// An account's free balance and state nonce, read together from one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Account {
    pub free: u128,
    pub nonce: u32,
}

/// A SCALE `AccountInfo`: four u32 counters (the nonce first), then `free: u128`; an account
/// that does not exist has neither.
pub(crate) fn account_state(v: &Value) -> Result<Account> {
    if v.is_null() {
        return Ok(Account { free: 0, nonce: 0 });
    }
    let bytes = v.as_str().and_then(|s| hexutil::decode(s).ok()).ok_or_else(|| bad_answer("System.Account"))?;
    let free: [u8; 16] =
        bytes.get(16..32).and_then(|b| b.try_into().ok()).ok_or_else(|| bad_answer("System.Account"))?;
    let nonce: [u8; 4] = bytes.get(..4).and_then(|b| b.try_into().ok()).ok_or_else(|| bad_answer("System.Account"))?;
    Ok(Account { free: u128::from_le_bytes(free), nonce: u32::from_le_bytes(nonce) })
}

/// Whether a `System.Account` answer is an account: null is none, anything else must be an
/// `AccountInfo` (a wrong type is a bad answer, not an account that exists).
pub(crate) fn account_exists(v: &Value) -> Result<bool> {
    account_state(v).map(|_| !v.is_null())
}

fn check_genesis(endpoint: &Endpoint, url: &str, answer: &Value) -> Result<()> {
    let genesis = answer
        .as_str()
        .and_then(|s| hexutil::decode_fixed::<32>(s).ok())
        .ok_or_else(|| bad_answer("chain_getBlockHash"))?;
    if genesis != endpoint.genesis_hash {
        return Err(Error::new(
            ErrorCode::WrongChain,
            format!(
                "{url} is on chain {} but network {} has genesis {} (a local or custom chain: pass options.genesisHashes)",
                hexutil::encode(&genesis),
                endpoint.network.name(),
                hexutil::encode(&endpoint.genesis_hash)
            ),
        ));
    }
    Ok(())
}

/// One endpoint's error as it is; several summed up, each with its URL. The code is the
/// shared one when all endpoints failed alike (all on the wrong chain, all timing out).
fn all_failed(mut failures: Vec<(String, Error)>) -> Error {
    if failures.len() == 1 {
        return failures.remove(0).1;
    }
    let code = failures[0].1.code;
    let code = if failures.iter().all(|(_, e)| e.code == code) { code } else { ErrorCode::RpcError };
    let list = failures.iter().map(|(url, e)| format!("{url}: {e}")).collect::<Vec<_>>().join("; ");
    Error::new(code, format!("all {} RPC endpoints failed: {list}", failures.len()))
}

/// `state_getMetadata`'s answer, decoded.
pub(crate) fn decode_metadata(metadata: &Value) -> Result<RuntimeFacts> {
    let bytes =
        metadata.as_str().and_then(|s| hexutil::decode(s).ok()).ok_or_else(|| bad_answer("state_getMetadata"))?;
    metadata::decode(&bytes)
}

pub(crate) fn runtime_version(v: &Value) -> Result<(u32, u32)> {
    let field = |name: &str| v.get(name).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    match (field("specVersion"), field("transactionVersion")) {
        (Some(s), Some(t)) => Ok((s, t)),
        _ => Err(bad_answer("state_getRuntimeVersion")),
    }
}

/// `system_accountNextIndex`'s answer: the payer's next nonce.
pub(crate) fn next_index(v: &Value) -> Result<u32> {
    v.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| bad_answer("system_accountNextIndex"))
}

/// A `ReplyInfo` (`{ payload, value, code }`): the payload when `code` is a success
/// (`{"Success": "Auto" | "Manual"}`), `None` for an error reply.
pub(crate) fn reply_payload(v: &Value) -> Result<Option<Vec<u8>>> {
    let bad = || bad_answer("gear_calculateReplyForHandle");
    let code = v.get("code").ok_or_else(bad)?;
    let payload = v.get("payload").and_then(Value::as_str).and_then(|h| hexutil::decode(h).ok()).ok_or_else(bad)?;
    Ok(code.get("Success").is_some().then_some(payload))
}

/// `gear_calculateHandleGas`'s answer: its `min_limit`.
pub(crate) fn min_gas(v: &Value) -> Result<u64> {
    v.get("min_limit").and_then(Value::as_u64).ok_or_else(|| bad_answer("gear_calculateHandleGas"))
}

/// A header's number, and its parent as the era checkpoint: the parent's hash is in the
/// header itself, so no hashing and no second call is needed.
pub fn header_of(header: &Value) -> Result<(u32, BlockRef)> {
    let parent = header
        .get("parentHash")
        .and_then(Value::as_str)
        .and_then(|s| hexutil::decode_fixed::<32>(s).ok())
        .ok_or_else(|| bad_answer("chain_getHeader"))?;
    let number = header
        .get("number")
        .and_then(Value::as_str)
        .and_then(|s| hexutil::decode_be(s).ok())
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| bad_answer("chain_getHeader"))?;
    Ok((number, BlockRef { number: number.saturating_sub(1), hash: parent }))
}

#[cfg(test)]
mod tests {
    use super::partial_fee;
    use crate::json::json;

    #[test]
    fn the_fee_is_the_last_16_bytes_whatever_the_weight_encoding() {
        let fee: u128 = 6_168_503_650;
        // Weight v2 (two compact u64), class, fee; and weight v1 (u64), class, fee.
        let v2 = format!("0x0b00c0a2c4f7060000{}", hex::encode(fee.to_le_bytes()));
        let v1 = format!("0x00e40b540200000000{}", hex::encode(fee.to_le_bytes()));
        assert_eq!(partial_fee(&json!(v2)).unwrap(), fee);
        assert_eq!(partial_fee(&json!(v1)).unwrap(), fee);
        for bad in [json!("0x00"), json!(null), json!(42), json!("not hex")] {
            assert!(partial_fee(&bad).is_err(), "{bad}");
        }
    }
}
