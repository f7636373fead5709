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

use crate::coordinator::{update, Coordinator, LANE_TTL_MS};
use crate::error::Result;
use crate::hexutil;
use crate::payment::{Abort, Payer};
use crate::signer::Signer;
use crate::vara::address::AccountId;
use crate::vara::pool;
use crate::vara::rpc::Transport;
use crate::vara::shared_lane::{Ended, HandedOut, SharedLane, Step};
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

/// Takes a place in the payer's shared lane; returns it and the nonce it will most likely
/// get (`None` while the coordinator has not read the chain).
pub async fn join<T: Transport, S: Signer, A: Abort>(
    coordinator: &Coordinator,
    payer: &Payer<'_, T, S, A>,
    address: &AccountId,
) -> Result<(FleetTicket, Option<u32>)> {
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
    let guess = ticket.apply(|l, now| l.join(&ticket.id, now, lease)).await?;
    Ok((ticket, guess))
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
                let held = |l: &mut SharedLane, _| {
                    if l.holder.as_ref().is_some_and(|h| &h.id == id) {
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

/// The holder is about to hand its payment (`nonce`) to its seller: true when the store
/// confirms the turn is still its own, atomically. False: its lease ended meanwhile (another
/// payment may hold the nonce now), so the payment must take its turn again and not leave.
pub async fn handed(
    ticket: &FleetTicket,
    nonce: u32,
    tx_hash: &[u8; 32],
    valid_until: u64,
    turn_timeout_ms: u32,
) -> Result<bool> {
    let tx_hash = hexutil::encode(tx_hash);
    let rule = |l: &mut SharedLane, now| {
        let out = HandedOut { nonce, tx_hash: tx_hash.clone(), valid_until, at_ms: now };
        l.handed(&ticket.id, out, turn_timeout_ms as f64)
    };
    ticket.apply(rule).await
}

/// The payment ended (its seller answered, or it never left): the turn and the shared nonce
/// facts follow. A store that fails now: the lease ends the turn, the chain is read then.
pub async fn ended(ticket: &FleetTicket, how: Ended) {
    let _ = ticket.apply(|l, now| l.ended(&ticket.id, how, now)).await;
}
