//! Nonce sequencing for one payer on one chain: many payments from one account, in flight at
//! once, each with its own nonce, handed to servers in nonce order.
//!
//! The rule (also in the README):
//! - A payment reserves a ticket and is signed at once with the nonce it will most likely get
//!   (pipelined signing). It is handed to its server only when every earlier ticket of the
//!   same account is resolved, so servers submit in nonce order: a node that drops a
//!   transaction whose nonce is ahead (the local chain does) never sees a gap.
//! - At its turn a payment uses the lane's cursor; if that differs from what it was signed
//!   with (an earlier payment was refused), it is signed again.
//! - A payment the server took (2xx) moves the cursor on. One it refused, or whose fate is
//!   unknown, leaves its nonce to the next payment. Reusing a nonce can never pay twice: of
//!   two transactions with one nonce, at most one executes.
//! - Every chain read feeds [`Lane::observe`]: a nonce the chain has passed is never handed
//!   out again (another tab or the wallet used the account: the next payment recovers). If the
//!   chain stays behind the cursor and the first missing payment's era has ended, it can never
//!   be included, so the lane starts again from the chain's nonce: mortal eras bound how long
//!   a lost payment can hold up the ones after it (`eraPeriod` blocks, 64 by default).
//! - Sooner than that, the chain watcher ([`Lane::observe_included`]): a payment its server
//!   took that the node has neither included nor pooled within [`STALE_AFTER_MS`] of the
//!   answer (a seller that says "settled" and never submits) stops holding up the ones behind
//!   it.
//! - A payment whose server has not answered within a bound (a hanging seller) is passed
//!   ([`Lane::pass`]): the next payment takes its nonce. Of two payments with one nonce at
//!   most one executes; the chain watcher says which, and the other is signed again.
//! - Sooner than its seller's answer, a payment seen in the node's pool ([`Lane::pooled`]:
//!   its exact extrinsic pending, or the account's nonce past it) frees its turn: its nonce
//!   is used, so the next payment goes to its seller at once. A seller that waits for
//!   execution before answering no longer costs the payments behind it a block each, and
//!   the node still never sees a gap (the next one is handed only after this one is there).

use crate::vara::address::AccountId;
use crate::wait::Signal;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

/// What became of a payment handed (or not) to its server.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// The server took it: the nonce is used. `valid_until` is the last block in which the
    /// transaction can be included; `at_ms` is when the server answered; `stale_after_ms`
    /// how long it may then stay out of blocks and the pool before it is presumed never
    /// submitted (see [`Lane::observe_included`]).
    Sent { valid_until: u64, at_ms: f64, stale_after_ms: f64 },
    /// Refused, or unknown (the connection broke after sending): the nonce may be reused, and
    /// the chain's nonce is read again before the next payment.
    NotTaken,
    /// It never left this process (aborted or failed before sending).
    Abandoned,
}

/// A place in the lane. Resolve it exactly once; dropping an unresolved ticket abandons it.
pub struct Ticket {
    lane: Rc<Lane>,
    id: u64,
    /// The nonce it was (or will be) signed with first.
    pub nonce: u32,
    /// Set when the ticket's turn came: the nonce actually used.
    used: Option<u32>,
}

/// The nonce facts of one payer, without the turn order: what a lane in this process keeps,
/// and what a fleet's coordinator keeps for every process (`crate::vara::fleet`). Plain data
/// and pure rules, so both apply the same ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nonces {
    /// The next nonce after every payment handed to a server; `None` until the chain is read.
    pub cursor: Option<u32>,
    /// Read the account's nonce from the chain before the next payment.
    pub verify: bool,
    /// Nonces handed to servers and not yet passed by the chain, with the last block they
    /// can be in and when their server took them (or the pool showed them).
    pub in_flight: Vec<InFlight>,
    /// The highest "next nonce" ever seen counting included transactions only: a node's
    /// answer below it is out of date (chopsticks answers `system_accountNextIndex` from the
    /// old head while it builds a block), and never sends the cursor back over it.
    #[serde(default)]
    pub included: Option<u32>,
    /// The best block heard of.
    #[serde(default)]
    pub best: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InFlight {
    pub nonce: u32,
    pub valid_until: u64,
    /// When, out of blocks and the node's pool, it is presumed never submitted (its server's
    /// answer, or the pool's sighting, plus the seller's bound: see [`STALE_AFTER_MS`])...
    pub stale_at_ms: f64,
    /// ...once [`STALE_AFTER_BLOCKS`] blocks past the best one known when it was taken.
    pub at_best: u64,
}

impl Nonces {
    pub fn needs_chain(&self) -> bool {
        self.cursor.is_none() || self.verify
    }

    fn flight(&self, nonce: u32) -> Option<&InFlight> {
        self.in_flight.iter().find(|f| f.nonce == nonce)
    }

    /// What a node says: the account's next nonce (pool included), as of block `best`.
    pub fn observe(&mut self, chain_next: u32, best: u64) {
        self.best = self.best.max(best);
        let chain_next = chain_next.max(self.included.unwrap_or(0));
        self.verify = false;
        // In flight stays in flight: this count includes the pool, which a later answer (from
        // an older head) may not; only an included nonce ([`Self::observe_included`]) ends it.
        let cursor = match self.cursor {
            Some(c) if c > chain_next => {
                // Our payments chain_next..c are on their way. If the first of them is not
                // known to be sent, or can no longer be included, none after it can execute.
                let lost = self.flight(chain_next).is_none_or(|f| f.valid_until < best);
                if lost {
                    self.in_flight.clear();
                    chain_next
                } else {
                    c
                }
            }
            _ => chain_next,
        };
        self.cursor = Some(cursor);
    }

    /// What the chain watcher reads at block `best`: the account's next nonce counting
    /// included transactions only, and counting the node's ready pool too (`pooled`). True
    /// when the first of our payments the node lacks went stale (see [`InFlight`]) and the
    /// cursor went back to that nonce.
    pub fn observe_included(&mut self, included: u32, pooled: u32, best: u64, now_ms: f64) -> bool {
        self.best = self.best.max(best);
        let included = included.max(self.included.unwrap_or(0));
        self.included = Some(included);
        self.in_flight.retain(|f| f.nonce >= included);
        let next = pooled.max(included);
        let stale = matches!(self.cursor, Some(c) if c > next)
            && self.flight(next).is_some_and(|f| now_ms > f.stale_at_ms && best >= f.at_best + STALE_AFTER_BLOCKS);
        if stale {
            // What the pool holds stays in flight (a later answer from an older head may not
            // count it); from the stale one on, nothing can execute.
            self.in_flight.retain(|f| f.nonce < next);
            self.cursor = Some(next);
        }
        stale
    }

    /// A payment with `nonce` left (its server took it, or the pool shows it). Only the
    /// payment at the cursor moves it: after a reset from the chain, a late answer must not
    /// jump over the reset.
    pub fn sent(&mut self, nonce: u32, valid_until: u64, stale_at_ms: f64) {
        if self.cursor == Some(nonce) {
            self.cursor = Some(nonce.wrapping_add(1));
        }
        self.in_flight.retain(|f| f.nonce != nonce);
        self.in_flight.push(InFlight { nonce, valid_until, stale_at_ms, at_best: self.best });
    }

    /// A payment handed out was not taken after all: its nonce goes to the next payment,
    /// and the chain is read again first. False when it was not one in flight.
    pub fn release(&mut self, nonce: u32) -> bool {
        let before = self.in_flight.len();
        self.in_flight.retain(|f| f.nonce != nonce);
        if self.in_flight.len() == before {
            return false; // not one of ours, or the chain already passed it
        }
        self.verify = true;
        if self.cursor == Some(nonce.wrapping_add(1)) {
            self.cursor = Some(nonce);
        }
        true
    }
}

#[derive(Default)]
struct LaneState {
    nonces: Nonces,
    /// Unresolved tickets, in the order they were reserved.
    queue: VecDeque<u64>,
    next_id: u64,
    /// Tickets handed to their servers and not resolved yet → what they carry.
    handed: HashMap<u64, Handed>,
    /// Tickets whose turn ended when they were seen in the pool: their late answer does not
    /// move the cursor again.
    pooled: HashSet<u64>,
}

/// A payment handed to its server: when, and what the pool check looks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Handed {
    pub id: u64,
    pub at_ms: f64,
    pub nonce: u32,
    pub tx_hash: [u8; 32],
    /// The last block it can be included in.
    pub valid_until: u64,
}

/// How long after its server took it a payment may stay out of every block and the node's
/// pool before the payments behind it stop waiting for it, for a seller whose 2xx means
/// "executed" (x402 v2: the facilitator settles before the resource is served): this long,
/// and as many new blocks as [`STALE_AFTER_BLOCKS`].
pub const STALE_AFTER_MS: f64 = 12_000.0;
/// The same for a seller that answers before it submits (x402 v1's reference server), whose
/// submission may lag behind a slow chain.
pub const STALE_AFTER_MS_V1: f64 = 60_000.0;
pub const STALE_AFTER_BLOCKS: u64 = 4;

#[derive(Default)]
pub struct Lane {
    state: RefCell<LaneState>,
    signal: Signal,
}

impl Lane {
    /// Whether the next payment must read the account's nonce from the chain.
    pub fn needs_chain_nonce(&self) -> bool {
        self.state.borrow().nonces.needs_chain()
    }

    /// What a node says: the account's next nonce, as of block `best`.
    pub fn observe(&self, chain_next: u32, best: u64) {
        self.state.borrow_mut().nonces.observe(chain_next, best);
        self.signal.notify_all();
    }

    /// What the chain watcher reads (see [`Nonces::observe_included`]): a payment its seller
    /// took that the node has neither included nor pooled in time stops holding the lane.
    pub fn observe_included(&self, included: u32, pooled: u32, best: u64, now_ms: f64) {
        if self.state.borrow_mut().nonces.observe_included(included, pooled, best, now_ms) {
            self.signal.notify_all();
        }
    }

    /// The ticket whose turn it is, if any.
    pub fn front(&self) -> Option<u64> {
        self.state.borrow().queue.front().copied()
    }

    /// Resolves when the ticket whose turn it is, or what it carries, or the one behind it,
    /// is no longer what was `seen` (a waiter's plan is out of date).
    pub async fn front_changed(&self, seen: (Option<u64>, Option<Handed>, Option<u64>)) {
        self.signal.until(|| ((self.front(), self.front_handed(), self.second()) != seen).then_some(())).await
    }

    /// The ticket whose turn comes next.
    pub fn second(&self) -> Option<u64> {
        self.state.borrow().queue.get(1).copied()
    }

    /// A ticket was handed to its server (see [`Handed`]).
    pub fn handed(&self, handed: Handed) {
        self.state.borrow_mut().handed.insert(handed.id, handed);
    }

    /// The ticket whose turn it is, if it was handed to its server.
    pub fn front_handed(&self) -> Option<Handed> {
        let s = self.state.borrow();
        let front = *s.queue.front()?;
        s.handed.get(&front).copied()
    }

    /// The ticket whose turn it is was seen in the node's pool (or on chain) with `nonce`:
    /// its nonce is used, and the next ticket's turn comes now.
    pub fn pooled(&self, id: u64, nonce: u32, now_ms: f64) {
        let mut s = self.state.borrow_mut();
        if s.queue.front() != Some(&id) || s.nonces.cursor != Some(nonce) {
            return;
        }
        let Some(h) = s.handed.remove(&id) else { return };
        s.queue.pop_front();
        s.pooled.insert(id);
        s.nonces.sent(nonce, h.valid_until, now_ms + STALE_AFTER_MS);
        drop(s);
        self.signal.notify_all();
    }

    /// Lets the payments behind ticket `id` go on without it (its server has not answered
    /// within the bound): the next one takes its nonce; the chain is read again first.
    pub fn pass(&self, id: u64) {
        let mut s = self.state.borrow_mut();
        if s.queue.front() != Some(&id) {
            return;
        }
        s.queue.pop_front();
        s.handed.remove(&id);
        s.nonces.verify = true;
        drop(s);
        self.signal.notify_all();
    }

    /// The nonce the next reserved ticket would be signed with (shown before consent).
    pub fn peek_next(&self) -> u32 {
        let s = self.state.borrow();
        s.nonces.cursor.unwrap_or(0).saturating_add(s.queue.len() as u32)
    }

    /// Takes a place in the lane. The chain's nonce must have been observed at least once.
    pub fn reserve(self: &Rc<Self>) -> Ticket {
        let mut s = self.state.borrow_mut();
        let id = s.next_id;
        s.next_id += 1;
        let ahead = s.queue.len() as u32;
        s.queue.push_back(id);
        let nonce = s.nonces.cursor.unwrap_or(0).saturating_add(ahead);
        Ticket { lane: self.clone(), id, nonce, used: None }
    }

    /// A payment handed out earlier (a header the caller sends itself) was not taken after
    /// all: its nonce goes to the next payment, and the chain is read again first.
    pub fn release(&self, nonce: u32) {
        if self.state.borrow_mut().nonces.release(nonce) {
            self.signal.notify_all();
        }
    }

    fn resolve(&self, id: u64, used: Option<u32>, outcome: Outcome) {
        let mut s = self.state.borrow_mut();
        s.queue.retain(|t| *t != id);
        s.handed.remove(&id);
        // Seen in the pool: its nonce was counted then, whatever its seller says now.
        let used = if s.pooled.remove(&id) { None } else { used };
        if let Some(nonce) = used {
            match outcome {
                Outcome::Sent { valid_until, at_ms, stale_after_ms } => {
                    s.nonces.sent(nonce, valid_until, at_ms + stale_after_ms)
                }
                Outcome::NotTaken => s.nonces.verify = true,
                Outcome::Abandoned => {}
            }
        }
        drop(s);
        self.signal.notify_all();
    }
}

impl Ticket {
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn lane(&self) -> &Rc<Lane> {
        &self.lane
    }

    /// Waits until every earlier ticket is resolved; returns the nonce to use now.
    pub async fn turn(&mut self) -> u32 {
        let lane = self.lane.clone();
        let id = self.id;
        let nonce = lane
            .signal
            .until(|| {
                let s = lane.state.borrow();
                (s.queue.front() == Some(&id)).then(|| s.nonces.cursor.unwrap_or(0))
            })
            .await;
        self.used = Some(nonce);
        nonce
    }

    pub fn resolve(mut self, outcome: Outcome) {
        let used = self.used.take();
        self.lane.resolve(self.id, used, outcome);
        self.id = u64::MAX; // resolved: Drop does nothing
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.id != u64::MAX {
            self.lane.resolve(self.id, self.used, Outcome::Abandoned);
        }
    }
}

/// Every lane of this process (one JS realm): per chain (expected genesis hash) and payer, so
/// all wrapped fetches, Axios instances and header builders paying from one account share one.
/// A lane's key: the chain's expected genesis hash and the payer.
type LaneKey = ([u8; 32], AccountId);

#[derive(Default)]
pub struct Lanes {
    lanes: RefCell<HashMap<LaneKey, Rc<Lane>>>,
}

impl Lanes {
    pub fn lane(&self, genesis: [u8; 32], payer: AccountId) -> Rc<Lane> {
        self.lanes.borrow_mut().entry((genesis, payer)).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{block_on, noop_waker};
    use core::future::Future;
    use core::task::Context;

    fn lane_at(next: u32) -> Rc<Lane> {
        let lane = Rc::new(Lane::default());
        lane.observe(next, 100);
        lane
    }

    fn sent() -> Outcome {
        Outcome::Sent { valid_until: 1_000, at_ms: 0.0, stale_after_ms: STALE_AFTER_MS }
    }

    #[test]
    fn concurrent_payments_get_consecutive_nonces_in_order() {
        let lane = lane_at(7);
        let mut tickets: Vec<_> = (0..3).map(|_| lane.reserve()).collect();
        assert_eq!(tickets.iter().map(|t| t.nonce).collect::<Vec<_>>(), vec![7, 8, 9]);
        // The third cannot take its turn before the first two are resolved.
        let waker = noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut third = tickets.pop().unwrap();
        {
            let mut turn = core::pin::pin!(third.turn());
            assert!(turn.as_mut().poll(&mut cx).is_pending());
        }
        for mut t in tickets {
            let n = block_on(t.turn());
            assert_eq!(n, t.nonce);
            t.resolve(sent());
        }
        assert_eq!(block_on(third.turn()), 9);
        third.resolve(sent());
        assert!(!lane.needs_chain_nonce());
        assert_eq!(lane.reserve().nonce, 10);
    }

    #[test]
    fn a_refused_payment_leaves_its_nonce_to_the_next_one() {
        let lane = lane_at(3);
        let mut a = lane.reserve();
        let mut b = lane.reserve();
        assert_eq!((a.nonce, b.nonce), (3, 4));
        block_on(a.turn());
        a.resolve(Outcome::NotTaken);
        // b was signed with 4 but must now use 3 (it is signed again).
        assert_eq!(block_on(b.turn()), 3);
        b.resolve(sent());
        assert!(lane.needs_chain_nonce(), "a refusal makes the next payment read the chain");
    }

    #[test]
    fn abandoned_tickets_do_not_stall_the_lane() {
        let lane = lane_at(0);
        let a = lane.reserve();
        let mut b = lane.reserve();
        drop(a); // aborted before its turn
        assert_eq!(block_on(b.turn()), 0);
        b.resolve(sent());
        assert_eq!(lane.reserve().nonce, 1);
    }

    #[test]
    fn the_chain_is_never_behind_what_is_handed_out() {
        let lane = lane_at(5);
        // Another tab used nonces 5..=8.
        lane.observe(9, 120);
        assert_eq!(lane.reserve().nonce, 9);
    }

    #[test]
    fn a_node_answer_older_than_what_was_seen_included_is_out_of_date() {
        let lane = lane_at(5);
        for _ in 0..3 {
            let mut t = lane.reserve();
            block_on(t.turn());
            t.resolve(sent());
        }
        lane.observe_included(7, 7, 100, 0.0);
        // A node answering from an older head: 5 is long used.
        lane.observe(5, 100);
        assert_eq!(lane.reserve().nonce, 8);
        // One that counts the pool (8 pending), then one that does not (mid-block): 8 is
        // still in flight, so the cursor stays.
        let mut t = lane.reserve();
        block_on(t.turn());
        t.resolve(sent());
        lane.observe(9, 100);
        lane.observe(8, 100);
        assert_eq!(lane.reserve().nonce, 9);
    }

    #[test]
    fn a_lost_payment_blocks_the_lane_only_until_its_era_ends() {
        let lane = lane_at(5);
        let mut t = lane.reserve();
        block_on(t.turn());
        t.resolve(Outcome::Sent { valid_until: 150, at_ms: 0.0, stale_after_ms: STALE_AFTER_MS });
        // The node has not seen nonce 5 yet, but it can still be included: keep going.
        lane.observe(5, 140);
        assert_eq!(lane.reserve().nonce, 6);
        // Block 151: nonce 5 can never be included; start again from the chain.
        lane.observe(5, 151);
        assert_eq!(lane.reserve().nonce, 5);
    }

    #[test]
    fn a_released_header_gives_its_nonce_back() {
        let lane = lane_at(4);
        for _ in 0..2 {
            let mut t = lane.reserve();
            block_on(t.turn());
            t.resolve(sent());
        }
        lane.release(5); // the last one handed out: reused at once
        assert_eq!(lane.reserve().nonce, 5);
        lane.release(4); // an earlier one: the next chain read starts again from it
        assert!(lane.needs_chain_nonce());
        lane.observe(4, 100);
        assert_eq!(lane.reserve().nonce, 4);
        lane.release(99); // never handed out: nothing happens
    }

    #[test]
    fn a_payment_taken_and_never_included_stops_holding_the_lane() {
        let lane = lane_at(5);
        let mut t = lane.reserve();
        block_on(t.turn());
        t.resolve(Outcome::Sent { valid_until: 1_000, at_ms: 1_000.0, stale_after_ms: STALE_AFTER_MS });
        lane.observe_included(5, 5, 104, 1_000.0 + STALE_AFTER_MS - 1.0);
        assert_eq!(lane.reserve().nonce, 6, "not stale yet: too soon");
        lane.observe_included(5, 5, 103, 1_000.0 + STALE_AFTER_MS + 1.0);
        assert_eq!(lane.reserve().nonce, 6, "not stale yet: too few blocks since");
        lane.observe_included(5, 5, 104, 1_000.0 + STALE_AFTER_MS + 1.0);
        assert_eq!(lane.reserve().nonce, 5, "stale: the next payment takes its nonce");
        // Included: nothing to reset.
        let lane = lane_at(5);
        let mut t = lane.reserve();
        block_on(t.turn());
        t.resolve(Outcome::Sent { valid_until: 1_000, at_ms: 0.0, stale_after_ms: STALE_AFTER_MS });
        lane.observe_included(6, 6, 200, STALE_AFTER_MS + 1.0);
        assert_eq!(lane.reserve().nonce, 6);
    }

    #[test]
    fn a_hanging_payment_is_passed_and_the_next_takes_its_nonce() {
        let lane = lane_at(3);
        let mut a = lane.reserve();
        let mut b = lane.reserve();
        assert_eq!(block_on(a.turn()), 3);
        assert_eq!(lane.front(), Some(a.id()));
        lane.pass(a.id());
        assert_eq!(block_on(b.turn()), 3, "b takes the hanging payment's nonce");
        b.resolve(sent());
        // The hanging one answers late: the cursor is already past it.
        a.resolve(sent());
        assert_eq!(lane.reserve().nonce, 4);
    }

    fn handed(t: &Ticket, nonce: u32) -> Handed {
        Handed { id: t.id(), at_ms: 0.0, nonce, tx_hash: [nonce as u8; 32], valid_until: 1_000 }
    }

    #[test]
    fn a_pooled_payment_frees_the_turn_before_its_seller_answers() {
        let lane = lane_at(10);
        let mut a = lane.reserve();
        let mut b = lane.reserve();
        assert_eq!(block_on(a.turn()), 10);
        lane.handed(handed(&a, 10));
        assert_eq!(lane.front_handed().map(|h| h.nonce), Some(10));
        assert_eq!(lane.second(), Some(b.id()));
        // Seen with another nonce (a stale report): nothing moves.
        lane.pooled(a.id(), 11, 5.0);
        assert_eq!(lane.front(), Some(a.id()));
        lane.pooled(a.id(), 10, 5.0);
        assert_eq!(block_on(b.turn()), 11, "b goes on while a's seller still works");
        // a's seller answers late, whatever it says: the cursor does not move again.
        a.resolve(Outcome::NotTaken);
        assert!(!lane.needs_chain_nonce());
        b.resolve(sent());
        assert_eq!(lane.reserve().nonce, 12);
    }

    #[test]
    fn a_pooled_payment_that_never_lands_stops_holding_the_lane() {
        let lane = lane_at(3);
        let mut a = lane.reserve();
        block_on(a.turn());
        lane.handed(handed(&a, 3));
        lane.pooled(a.id(), 3, 1_000.0);
        a.resolve(sent());
        assert_eq!(lane.reserve().nonce, 4);
        // Dropped from the pool: the chain stays at 3 past the bound, the next takes it.
        lane.observe_included(3, 3, 104, 1_000.0 + STALE_AFTER_MS + 1.0);
        assert_eq!(lane.reserve().nonce, 3);
    }

    #[test]
    fn lanes_are_per_chain_and_payer() {
        let lanes = Lanes::default();
        let a = lanes.lane([1; 32], AccountId([2; 32]));
        assert!(Rc::ptr_eq(&a, &lanes.lane([1; 32], AccountId([2; 32]))));
        assert!(!Rc::ptr_eq(&a, &lanes.lane([9; 32], AccountId([2; 32]))));
    }
}
