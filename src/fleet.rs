//! A payment's turn among every payment of a fleet paying from one account, through its
//! coordinator (`options.coordinator`): the same steps as in one process (`vara::nonces`),
//! with the lane kept by the coordinator under the rules of [`crate::vara::shared_lane`].
//!
//! - Join the queue before anything is signed (a coordinator that cannot be reached ends the
//!   payment with `COORDINATOR_ERROR`, nothing signed), sign with the nonce it will most
//!   likely get, and ask for the turn every [`POLL_MS`] (renewing the lease).
//! - The payment next in line watches the node's pool for the holder's payment, as in one
//!   process: once it is there, the turn moves on.
//! - When the turn comes with the chain to read (an empty store, a refusal, a lease that
//!   ended), the node's `system_accountNextIndex` (its pool included) sets the cursor.
//! - The balance is judged across the fleet: before signing against what the fleet promised
//!   when the payment joined, and exactly where it is handed out (see
//!   [`SharedLane::handed`]); a refusal on a cached reading reads the node first.

use crate::coordinator::{update, Coordinator, LANE_TTL_MS};
use crate::error::{err, ErrorCode, Result};
use crate::hexutil;
use crate::ledger::Stage;
use crate::payment::{Abort, Payer};
use crate::requirements::Asset;
use crate::signer::Signer;
use crate::vara::address::AccountId;
use crate::vara::chain::SnapshotQuery;
use crate::vara::pool;
use crate::vara::rpc::Transport;
use crate::vara::shared_lane::{Claim, Ended, HandedOut, Handoff, Reading, SharedLane, Step};
use std::cell::Cell;

/// How often a waiting payment asks the coordinator for the turn.
pub const POLL_MS: u32 = 50;

thread_local! {
    static NEXT: Cell<u64> = const { Cell::new(0) };
}

/// A payment's place in a fleet's lane.
pub struct FleetTicket {
    coordinator: Coordinator,
    key: String,
    id: String,
}

impl FleetTicket {
    async fn apply<R>(&self, rule: impl FnMut(&mut SharedLane, f64) -> R) -> Result<R> {
        update(&*self.coordinator.store, &self.key, LANE_TTL_MS, rule).await
    }
}

/// A payment's claim on its payer's balance, and whether its reading came from the node for
/// this payment (else from the cache: a refusal reads again before it is final).
#[derive(Debug, Clone)]
pub struct Balance {
    pub claim: Claim,
    pub fresh: bool,
}

/// Takes a place in the payer's shared lane; returns it, the nonce it will most likely get
/// (`None` while the coordinator has not read the chain), and what the fleet promised in the
/// claim's asset since its reading (`None` without a claim, or when that reading is too old).
pub async fn join<T: Transport, S: Signer, A: Abort>(
    coordinator: &Coordinator,
    payer: &Payer<'_, T, S, A>,
    address: &AccountId,
    balance: Option<&Balance>,
) -> Result<(FleetTicket, Option<u32>, Option<u128>)> {
    let n = NEXT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let ticket = FleetTicket {
        coordinator: coordinator.clone(),
        key: coordinator.lane_key(&payer.endpoint.genesis_hash, address),
        id: format!("{}/{n}", coordinator.process),
    };
    let lease = coordinator.lease_ms as f64;
    let rule = |l: &mut SharedLane, now| {
        let promised = balance.and_then(|b| l.promised_since(&b.claim.asset, b.claim.reading.nonce, &ticket.id));
        (l.join(&ticket.id, now, lease), promised)
    };
    let (guess, promised) = ticket.apply(rule).await?;
    Ok((ticket, guess, promised))
}

/// Before signing: the payment must fit its payer's balance beside what the fleet promised
/// since it was read (`promised`, from [`join`]). A reading too old for the record, or one
/// from the cache that does not fit, is read again first. The exact check is at hand-out.
pub async fn fits<T: Transport, S: Signer, A: Abort>(
    ticket: &FleetTicket,
    payer: &Payer<'_, T, S, A>,
    address: &AccountId,
    balance: Option<&mut Balance>,
    mut promised: Option<u128>,
) -> Result<()> {
    let Some(b) = balance else { return Ok(()) };
    loop {
        match promised {
            Some(p) if b.claim.reading.free.saturating_sub(p) >= b.claim.needed => return Ok(()),
            Some(p) if b.fresh => return short(&b.claim, p),
            // Pruned past even a fresh reading (another node ahead of ours): hand-out decides.
            None if b.fresh => return Ok(()),
            _ => {
                read_again(payer, address, b).await?;
                let (asset, since) = (&b.claim.asset, b.claim.reading.nonce);
                promised = ticket.apply(|l, _| l.promised_since(asset, since, &ticket.id)).await?;
            }
        }
    }
}

/// Reads the payer's balance from the node now (the cached one may be stale).
async fn read_again<T: Transport, S: Signer, A: Abort>(
    payer: &Payer<'_, T, S, A>,
    address: &AccountId,
    b: &mut Balance,
) -> Result<()> {
    payer.chain.distrust(payer.endpoint);
    let query =
        SnapshotQuery { payer: address, probe_recipient: None, now_ms: payer.abort.now_ms(), max_checkpoint_uses: 1 };
    let snap = payer.chain.snapshot(payer.transport, payer.endpoint, &query).await?;
    if let (Some(free), Some(nonce)) = (snap.payer_free, snap.payer_nonce) {
        b.claim.reading = Reading { free, nonce };
    }
    b.fresh = true;
    Ok(())
}

fn short<T>(claim: &Claim, promised: u128) -> Result<T> {
    let describe = |v: u128| Asset::Native.describe(v.into(), Some(12));
    err(
        ErrorCode::InsufficientBalance,
        format!(
            "the payer has {} free, {} of it promised to payments its fleet handed out that the chain has not executed yet, below the {} this payment needs (the amount, the existential deposit and the fee when it was asked): fund the account",
            describe(claim.reading.free),
            describe(promised),
            describe(claim.needed),
        ),
    )
}

/// Waits for the turn; returns the nonce to use.
pub async fn take_turn<T: Transport, S: Signer, A: Abort>(
    ticket: &FleetTicket,
    payer: &Payer<'_, T, S, A>,
    address: &AccountId,
) -> Result<u32> {
    let lease = ticket.coordinator.lease_ms as f64;
    loop {
        payer.abort.check()?;
        // Only a recent reading (about a block old at most): a stale one could send the cursor
        // back over nonces the chain has used since.
        let read = payer.chain.watcher(payer.endpoint).fresh_reading(address, payer.abort.now_ms(), 4_000.0);
        match ticket.apply(|l, now| l.step(&ticket.id, now, lease, read)).await? {
            Step::Holder { cursor: Some(c), read_chain: false } => return Ok(c),
            Step::Holder { .. } => {
                let (next, best) = pool::next_index(payer.chain, payer.transport, payer.endpoint, address).await?;
                let id = &ticket.id;
                let own = in_flight(payer, address);
                let stale_after = payer.books.stale_after_ms;
                let held = |l: &mut SharedLane, now| {
                    if l.holder.as_ref().is_some_and(|h| &h.id == id) {
                        l.adopt(&own, best, now, stale_after);
                        l.observe(next, best)
                    } else {
                        None
                    }
                };
                // The lease may have ended during the read: then ask again.
                if let Some(c) = ticket.apply(held).await? {
                    return Ok(c);
                }
            }
            Step::Wait { watch: Some((holder, out)) } => {
                let hash = hexutil::decode_fixed::<32>(&out.tx_hash).unwrap_or_default();
                let seen = pool::reached(payer.chain, payer.transport, payer.endpoint, address, out.nonce, &hash);
                if let Ok(true) = seen.await {
                    ticket.apply(|l, now| l.pooled(&holder, out.nonce, now)).await?;
                    continue;
                }
                // The node is asked as often as in one process (it builds blocks meanwhile).
                payer.abort.sleep(pool::POOL_POLL_MS).await;
            }
            Step::Wait { watch: None } => payer.abort.sleep(POLL_MS).await,
        }
    }
}

/// This process's payments from `address` that a seller took or still holds, as its ledger
/// has them: `(nonce, valid_until)` (for a record that lost them, see [`SharedLane::adopt`]).
fn in_flight<T: Transport, S: Signer, A: Abort>(payer: &Payer<'_, T, S, A>, address: &AccountId) -> Vec<(u32, u64)> {
    let Some(ledger) = payer.books.ledger else { return Vec::new() };
    let network = payer.endpoint.network;
    let me = address.to_ss58(network.ss58_prefix());
    let mut out = Vec::new();
    ledger.for_each(|e| {
        let taken = match e.stage {
            Stage::Handed => true,
            Stage::Answered => e.answer.as_ref().and_then(|a| a.status).is_some_and(|s| (200..300).contains(&s)),
            _ => false,
        };
        if taken && e.payer == me && e.network == network.name() {
            if let (Some(nonce), Some(until)) = (e.nonce, e.valid_until) {
                out.push((nonce, until));
            }
        }
    });
    out
}

/// The holder is about to hand its payment (`nonce`) to its seller: true when the store
/// confirms the turn is still its own and the payment fits the balance beside the fleet's
/// promises, atomically. False: its lease ended meanwhile (another payment may hold the
/// nonce now), so the payment must take its turn again and not leave. A balance that cannot
/// cover it on a reading from the node ends it with `INSUFFICIENT_BALANCE`.
pub async fn handed<T: Transport, S: Signer, A: Abort>(
    ticket: &FleetTicket,
    payer: &Payer<'_, T, S, A>,
    address: &AccountId,
    (nonce, tx_hash, valid_until): (u32, &[u8; 32], u64),
    mut balance: Option<&mut Balance>,
) -> Result<bool> {
    let tx_hash = hexutil::encode(tx_hash);
    let timeout = payer.books.turn_timeout_ms as f64;
    loop {
        let claim = balance.as_ref().map(|b| b.claim.clone());
        let rule = |l: &mut SharedLane, now| {
            let out = HandedOut { nonce, tx_hash: tx_hash.clone(), valid_until, at_ms: now };
            l.handed(&ticket.id, out, timeout, claim.as_ref())
        };
        match (ticket.apply(rule).await?, balance.as_deref_mut()) {
            (Handoff::Handed, _) => return Ok(true),
            (Handoff::NotHolder, _) => return Ok(false),
            (Handoff::Short { promised, .. }, Some(b)) if b.fresh => return short(&b.claim, promised),
            (Handoff::ReadAgain, Some(b)) if b.fresh => {
                return err(
                    ErrorCode::RpcError,
                    "the node's balance is older than what the payer's fleet has seen: try again",
                )
            }
            (_, Some(b)) => read_again(payer, address, b).await?,
            (_, None) => return Ok(false),
        }
    }
}

/// The payment ended (its seller answered, or it never left): the turn and the shared nonce
/// facts follow. A store that fails now: the lease ends the turn, the chain is read then.
pub async fn ended(ticket: &FleetTicket, how: Ended) {
    let _ = ticket.apply(|l, now| l.ended(&ticket.id, how, now)).await;
}
