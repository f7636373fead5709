//! The chain watcher: the only writer of `executed` and `dead` in the ledger. It confirms
//! each signed payment itself instead of taking the seller's word.
//!
//! One read per new best block serves every pending payment of a chain: the head and the
//! payers' nonces in one batch; then, only when a pending payment's nonce has been passed,
//! the blocks since the oldest such payment's era began (each read once and remembered by
//! the hashes of its extrinsics), and the events of a block that holds one of ours.
//! - executed / failed: our extrinsic is in a block (with `ExtrinsicSuccess` or
//!   `ExtrinsicFailed`);
//! - dead (`nonce-used`): the payer's nonce passed it and no scanned block holds it; a
//!   conflicting payment of ours with the same nonce may be the one that executed;
//! - dead (`era-ended`): the head is past its era and the nonce has not passed it.

use crate::error::{Error, ErrorCode, Result};
use crate::hexutil;
use crate::json::Value;
use crate::ledger::{Ledger, Stage, Verdict};
use crate::vara::address::AccountId;
use crate::vara::chain::{ChainClient, ChainState};
use crate::vara::events::{dispatch_of, events_key, Dispatch};
use crate::vara::hashing::{blake2_128, blake2_256, twox_128};
use crate::vara::network::Endpoint;
use crate::vara::rpc::{Call, Transport};
use crate::wait::Signal;
use core::future::Future;
use core::pin::Pin;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Blocks read in one tick at most (a watcher that fell far behind catches up over ticks).
const MAX_BLOCKS_PER_TICK: u32 = 64;

/// A signed payment being confirmed.
#[derive(Clone)]
pub struct Watched {
    pub ledger: Rc<Ledger>,
    pub entry_id: String,
    pub payer: AccountId,
    pub nonce: u32,
    pub tx_hash: [u8; 32],
    /// The era's first and last block.
    pub valid_from: u32,
    pub valid_until: u64,
}

struct Pending {
    item: Watched,
}

/// A block read once: its hash and its extrinsics' hashes.
struct Block {
    hash: [u8; 32],
    extrinsics: Vec<[u8; 32]>,
}

/// What one tick did, for benchmarks and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickStats {
    pub round_trips: u32,
    pub blocks_read: u32,
    pub resolved: u32,
}

/// Per chain (expected genesis hash).
#[derive(Default)]
pub struct Watcher {
    pending: RefCell<Vec<Pending>>,
    blocks: RefCell<BTreeMap<u32, Block>>,
    best: Cell<Option<u32>>,
    /// Payers' nonces at the last head read, and when that was (ms).
    nonces: RefCell<BTreeMap<AccountId, u32>>,
    /// The same, as the node counts them with its ready pool.
    pooled: RefCell<BTreeMap<AccountId, u32>>,
    read_ms: Cell<f64>,
    ticking: Cell<bool>,
    /// Wakes whoever waits on a verdict after each tick.
    pub ticked: Signal,
    /// Whether a driver loop is running for this watcher (set by the platform layer).
    pub driven: Cell<bool>,
}

fn bad(what: &str) -> Error {
    Error::new(ErrorCode::RpcError, format!("unexpected answer to {what}"))
}

/// `System.Account(who)`'s storage key.
pub fn account_key(who: &AccountId) -> String {
    let mut key = twox_128(b"System").to_vec();
    key.extend_from_slice(&twox_128(b"Account"));
    key.extend_from_slice(&blake2_128(&who.0));
    key.extend_from_slice(&who.0);
    hexutil::encode(&key)
}

/// The nonce in a SCALE `AccountInfo` (its first field); an account that does not exist has 0.
pub(crate) fn account_nonce(v: &Value) -> Result<u32> {
    if v.is_null() {
        return Ok(0);
    }
    let bytes = v.as_str().and_then(|s| hexutil::decode(s).ok()).ok_or_else(|| bad("System.Account"))?;
    let nonce: [u8; 4] = bytes.get(..4).and_then(|b| b.try_into().ok()).ok_or_else(|| bad("System.Account"))?;
    Ok(u32::from_le_bytes(nonce))
}

/// One batch on the chain's endpoints (failover and the genesis check included); the
/// answers are parsed by the caller. Boxed: one copy for every read of the watcher.
fn read<'a, T: Transport>(
    chain: &'a ChainClient,
    t: &'a T,
    endpoint: &'a Endpoint,
    calls: &'a [Call],
) -> Pin<Box<dyn Future<Output = Result<Vec<Value>>> + 'a>> {
    Box::pin(chain.on_any_endpoint_of(t, endpoint, calls, Ok))
}

/// The hashes of a `chain_getBlock` answer's extrinsics.
fn extrinsic_hashes(block: &Value) -> Result<Vec<[u8; 32]>> {
    let list = block
        .get("block")
        .and_then(|b| b.get("extrinsics"))
        .and_then(Value::as_array)
        .ok_or_else(|| bad("chain_getBlock"))?;
    list.iter()
        .map(|x| {
            x.as_str()
                .and_then(|s| hexutil::decode(s).ok())
                .map(|b| blake2_256(&b))
                .ok_or_else(|| bad("chain_getBlock"))
        })
        .collect()
}

fn block_number(header: &Value) -> Result<u32> {
    header
        .get("number")
        .and_then(Value::as_str)
        .and_then(|s| hexutil::decode_be(s).ok())
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| bad("chain_getHeader"))
}

impl Watcher {
    /// Starts confirming a payment (again, after a restart: entries are keyed by ledger id).
    pub fn watch(&self, item: Watched) {
        let mut pending = self.pending.borrow_mut();
        if pending.iter().any(|p| p.item.entry_id == item.entry_id && Rc::ptr_eq(&p.item.ledger, &item.ledger)) {
            return;
        }
        pending.push(Pending { item });
    }

    pub fn pending_count(&self) -> usize {
        self.pending.borrow().len()
    }

    pub fn best(&self) -> Option<u32> {
        self.best.get()
    }

    /// The payer's nonce at the last head read.
    pub fn nonce_of(&self, payer: &AccountId) -> Option<u32> {
        self.nonces.borrow().get(payer).copied()
    }

    /// The payer's nonces (included, pooled) and the head they were read at, when that read
    /// is at most `max_age_ms` old (a watcher with nothing pending stops reading: what it read
    /// last may be long past).
    pub fn fresh_reading(&self, payer: &AccountId, now_ms: f64, max_age_ms: f64) -> Option<(u32, u32, u64)> {
        if now_ms - self.read_ms.get() > max_age_ms {
            return None;
        }
        let included = self.nonce_of(payer)?;
        let pooled = self.pooled.borrow().get(payer).copied().unwrap_or(included);
        Some((included, pooled, self.best.get()? as u64))
    }

    /// One round of confirmation. Concurrent callers share one tick: the second waits for the
    /// first to end and returns without reading.
    /// Boxed: the driver loop and the waits for a verdict share one copy of the tick.
    pub fn tick<'a, T: Transport>(
        &'a self,
        chain: &'a ChainClient,
        t: &'a T,
        endpoint: &'a Endpoint,
        now_ms: f64,
    ) -> Pin<Box<dyn Future<Output = Result<TickStats>> + 'a>> {
        Box::pin(async move {
            if self.ticking.get() {
                self.ticked.until(|| (!self.ticking.get()).then_some(())).await;
                return Ok(TickStats::default());
            }
            self.ticking.set(true);
            let result = self.tick_once(chain, t, endpoint, now_ms).await;
            self.ticking.set(false);
            self.ticked.notify_all();
            result
        })
    }

    async fn tick_once<T: Transport>(
        &self,
        chain: &ChainClient,
        t: &T,
        endpoint: &Endpoint,
        now_ms: f64,
    ) -> Result<TickStats> {
        let mut stats = TickStats::default();
        self.drop_judged();
        let payers: BTreeSet<AccountId> = self.pending.borrow().iter().map(|p| p.item.payer).collect();
        if payers.is_empty() {
            return Ok(stats);
        }
        let payers: Vec<AccountId> = payers.into_iter().collect();
        // The head, then per payer its nonce in state (what blocks included) and the node's
        // next index (which also counts its ready pool).
        let prefix = endpoint.network.ss58_prefix();
        let mut calls = vec![Call::new("chain_getHeader", Value::Array(vec![]))];
        for p in &payers {
            calls.push(Call::new("state_getStorage", Value::Array(vec![account_key(p).into()])));
            calls.push(Call::new("system_accountNextIndex", Value::Array(vec![p.to_ss58(prefix).into()])));
        }
        let a = read(chain, t, endpoint, &calls).await?;
        let best = block_number(&a[0])?;
        stats.round_trips += 1;
        self.best.set(Some(best));
        self.read_ms.set(now_ms);
        for (i, p) in payers.iter().enumerate() {
            let included = account_nonce(&a[1 + 2 * i])?;
            let pooled = crate::vara::chain::next_index(&a[2 + 2 * i])?;
            self.nonces.borrow_mut().insert(*p, included);
            self.pooled.borrow_mut().insert(*p, pooled);
            // The same facts keep the payer's lane live: a payment its seller took and that
            // the node has neither included nor pooled stops holding up the ones behind it.
            chain.lane(endpoint, p).observe_included(included, pooled, best as u64, now_ms);
        }
        let nonce_of = |p: &AccountId| self.nonces.borrow().get(p).copied().unwrap_or(0);

        // Payments whose nonce the chain has passed: find them in the blocks of their era.
        let from = self
            .pending
            .borrow()
            .iter()
            .filter(|p| nonce_of(&p.item.payer) > p.item.nonce)
            .map(|p| p.item.valid_from)
            .min();
        if let Some(from) = from {
            stats.blocks_read += self.read_blocks(chain, t, endpoint, from.min(best), best, &mut stats).await?;
            stats.resolved += self.judge_included(chain, t, endpoint, now_ms, &mut stats).await?;
        }
        stats.resolved += self.judge_unfound(chain, t, endpoint, best, now_ms, &mut stats).await?;
        self.forget_old_blocks();
        Ok(stats)
    }

    /// Reads the blocks `from..=to` not read yet (at most [`MAX_BLOCKS_PER_TICK`]).
    async fn read_blocks<T: Transport>(
        &self,
        chain: &ChainClient,
        t: &T,
        endpoint: &Endpoint,
        from: u32,
        to: u32,
        stats: &mut TickStats,
    ) -> Result<u32> {
        let missing: Vec<u32> = {
            let blocks = self.blocks.borrow();
            (from..=to).filter(|n| !blocks.contains_key(n)).take(MAX_BLOCKS_PER_TICK as usize).collect()
        };
        if missing.is_empty() {
            return Ok(0);
        }
        let calls: Vec<Call> =
            missing.iter().map(|n| Call::new("chain_getBlockHash", Value::Array(vec![(*n as u64).into()]))).collect();
        let hashes = read(chain, t, endpoint, &calls)
            .await?
            .iter()
            .map(|h| {
                h.as_str().and_then(|s| hexutil::decode_fixed::<32>(s).ok()).ok_or_else(|| bad("chain_getBlockHash"))
            })
            .collect::<Result<Vec<[u8; 32]>>>()?;
        let calls: Vec<Call> =
            hashes.iter().map(|h| Call::new("chain_getBlock", Value::Array(vec![hexutil::encode(h).into()]))).collect();
        let bodies =
            read(chain, t, endpoint, &calls).await?.iter().map(extrinsic_hashes).collect::<Result<Vec<_>>>()?;
        stats.round_trips += 2;
        let mut blocks = self.blocks.borrow_mut();
        for ((n, hash), extrinsics) in missing.iter().zip(hashes).zip(bodies) {
            blocks.insert(*n, Block { hash, extrinsics });
        }
        Ok(missing.len() as u32)
    }

    /// Pending payments found in a read block: their events say executed or failed.
    async fn judge_included<T: Transport>(
        &self,
        chain: &ChainClient,
        t: &T,
        endpoint: &Endpoint,
        now_ms: f64,
        stats: &mut TickStats,
    ) -> Result<u32> {
        // (pending index, block number, block hash, extrinsic index)
        let found: Vec<(String, u32, [u8; 32], u32)> = {
            let blocks = self.blocks.borrow();
            self.pending
                .borrow()
                .iter()
                .filter_map(|p| {
                    blocks.range(p.item.valid_from..).find_map(|(n, b)| {
                        b.extrinsics
                            .iter()
                            .position(|h| *h == p.item.tx_hash)
                            .map(|i| (p.item.entry_id.clone(), *n, b.hash, i as u32))
                    })
                })
                .collect()
        };
        if found.is_empty() {
            return Ok(0);
        }
        let state: Rc<ChainState> = chain.chain_state(t, endpoint).await?;
        let block_hashes: BTreeSet<[u8; 32]> = found.iter().map(|f| f.2).collect();
        let block_hashes: Vec<[u8; 32]> = block_hashes.into_iter().collect();
        let key = hexutil::encode(&events_key());
        let calls: Vec<Call> = block_hashes
            .iter()
            .map(|h| Call::new("state_getStorage", Value::Array(vec![key.clone().into(), hexutil::encode(h).into()])))
            .collect();
        let events = read(chain, t, endpoint, &calls)
            .await?
            .iter()
            .map(|v| v.as_str().and_then(|s| hexutil::decode(s).ok()).ok_or_else(|| bad("System.Events")))
            .collect::<Result<Vec<Vec<u8>>>>()?;
        stats.round_trips += 2;
        let mut resolved = 0;
        for (entry_id, number, hash, index) in found {
            let at = block_hashes.iter().position(|h| *h == hash).expect("collected above");
            let dispatch = dispatch_of(&state.facts, &events[at], index)?;
            let success = match dispatch {
                Some(Dispatch::Success) => true,
                Some(Dispatch::Failed) => false,
                None => return Err(bad("System.Events (no outcome for an included extrinsic)")),
            };
            let verdict = Verdict::included(success, number, hexutil::encode(&hash), index);
            if self.resolve(&entry_id, verdict, now_ms) {
                resolved += 1;
            }
        }
        Ok(resolved)
    }

    /// Payments not found in any block of their era up to the head: dead when the payer's
    /// nonce, read at that very head, has passed them (another extrinsic used the nonce), or
    /// when the head is past their era and the nonce has not passed them.
    async fn judge_unfound<T: Transport>(
        &self,
        chain: &ChainClient,
        t: &T,
        endpoint: &Endpoint,
        best: u32,
        now_ms: f64,
        stats: &mut TickStats,
    ) -> Result<u32> {
        let nonce_of = |p: &AccountId| self.nonces.borrow().get(p).copied().unwrap_or(0);
        let scanned = |from: u32| {
            let blocks = self.blocks.borrow();
            (from..=best).all(|n| blocks.contains_key(&n))
        };
        let mut verdicts = Vec::new();
        // Passed by the nonce as read beside the head (which may be a block newer than the
        // head read in the same batch): read again at the head's own hash before judging.
        let mut passed: Vec<(String, AccountId, u32)> = Vec::new();
        for p in self.pending.borrow().iter() {
            if nonce_of(&p.item.payer) > p.item.nonce {
                if scanned(p.item.valid_from) {
                    passed.push((p.item.entry_id.clone(), p.item.payer, p.item.nonce));
                }
            } else if best as u64 > p.item.valid_until {
                verdicts.push((p.item.entry_id.clone(), Verdict::dead("era-ended")));
            }
        }
        let head = self.blocks.borrow().get(&best).map(|b| b.hash);
        if let (false, Some(head)) = (passed.is_empty(), head) {
            let payers: BTreeSet<AccountId> = passed.iter().map(|p| p.1).collect();
            let payers: Vec<AccountId> = payers.into_iter().collect();
            let at = hexutil::encode(&head);
            let calls: Vec<Call> = payers
                .iter()
                .map(|p| Call::new("state_getStorage", Value::Array(vec![account_key(p).into(), at.clone().into()])))
                .collect();
            let answers = read(chain, t, endpoint, &calls).await?;
            stats.round_trips += 1;
            for (id, payer, nonce) in passed {
                let i = payers.iter().position(|p| *p == payer).expect("collected above");
                if account_nonce(&answers[i])? > nonce {
                    verdicts.push((id, Verdict::dead("nonce-used")));
                }
            }
        }
        Ok(verdicts.into_iter().filter(|(id, v)| self.resolve(id, v.clone(), now_ms)).count() as u32)
    }

    /// Writes a verdict to the payment's ledger; true when it was still pending.
    fn resolve(&self, entry_id: &str, verdict: Verdict, now_ms: f64) -> bool {
        let item = {
            let mut pending = self.pending.borrow_mut();
            let Some(i) = pending.iter().position(|p| p.item.entry_id == entry_id) else { return false };
            pending.remove(i).item
        };
        let stage = if verdict.status == "dead" { Stage::Dead } else { Stage::Executed };
        item.ledger.update(entry_id, now_ms, |e| {
            if e.stage == Stage::Answered {
                if let Some(a) = &e.answer {
                    let served = a.status.is_some_and(|s| (200..300).contains(&s));
                    if verdict.paid() && !served {
                        e.notes.push("the seller refused or did not answer, and the payment executed".into());
                    }
                    if !verdict.paid() && a.claimed_success == Some(true) {
                        e.notes.push("the seller's receipt claimed success; the chain did not execute it".into());
                    }
                }
            }
            e.stage = stage;
            e.chain = Some(verdict);
        });
        true
    }

    /// Entries judged elsewhere (another watcher instance, a restored ledger) stop being
    /// watched.
    fn drop_judged(&self) {
        self.pending.borrow_mut().retain(|p| !p.item.ledger.is_final(&p.item.entry_id));
    }

    /// Blocks older than every pending payment's era are not needed again.
    fn forget_old_blocks(&self) {
        let oldest = self.pending.borrow().iter().map(|p| p.item.valid_from).min();
        let mut blocks = self.blocks.borrow_mut();
        match oldest {
            Some(from) => blocks.retain(|n, _| *n >= from),
            None => blocks.clear(),
        }
    }
}
