//! One payer's lane shared by a fleet of processes: the record a coordinator (Redis) keeps
//! per network and account, and its rules. Plain data and pure functions of the store's
//! clock: every process loads the record, applies one rule here and writes it back only if
//! nobody wrote in between (`crate::coordinator`), so the rules live in Rust, once.
//!
//! - The nonce facts are the ones a lane in one process keeps ([`Nonces`]), under the same
//!   rules: a payment taken or seen in the pool moves the cursor on; a refusal, a passed
//!   turn or an expired lease makes the next payment read the chain first.
//! - The turn order is a queue of waiting payments across processes (first come, first
//!   served) and at most one holder: the payment handed (or about to be handed) to its
//!   seller with the cursor's nonce.
//! - Every place in it is leased: a process that dies holds the others up at most for its
//!   lease (a waiter's lease is renewed while it waits; a holder's covers the hand-over and
//!   then the turn timeout), after which the next payment reads the chain's nonce (the
//!   node's pool included) and the chain decides what the dead process's payment became.
//! - Of two payments with one nonce at most one executes: a reused nonce can never pay
//!   twice, and the one that lost is signed again by its process (see `crate::report`).
//! - The balance is checked across the fleet where a payment is handed out ([`SharedLane::handed`]):
//!   the record keeps what its payer handed out with its nonce ([`Promise`]), and a balance
//!   read at the account's state nonce `n` already reflects every payment below `n` (executed,
//!   or never to execute: its nonce went to another extrinsic), so what may still leave it is
//!   exactly the promises at `n` or above.

use crate::vara::nonces::{Nonces, STALE_AFTER_MS};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedLane {
    pub nonces: Nonces,
    pub holder: Option<Holder>,
    pub waiting: Vec<Waiter>,
    /// Payments handed out that the chain may not have judged yet, oldest first.
    #[serde(default)]
    pub promised: Vec<Promise>,
    /// Promises below this nonce may have been dropped: a balance read at an older nonce
    /// cannot be judged here (its reader reads again).
    #[serde(default)]
    pub pruned_below: u32,
}

/// What a payment handed out may take from its payer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Promise {
    pub id: String,
    /// The ledger's asset: "" for VARA, else the token program's id (hex).
    pub asset: String,
    /// In the asset's smallest unit, decimal (with the fee, for VARA, when it was asked).
    pub amount: String,
    pub nonce: u32,
}

/// A payer's balance as one process read it: `free` at the block where the account's state
/// nonce (its executed extrinsics) was `nonce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub free: u128,
    pub nonce: u32,
}

/// What a payment about to be handed out asks of its payer's balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub asset: String,
    /// What it may take (recorded as its promise).
    pub amount: u128,
    /// What the balance must hold, beside the others' promises, for it to be handed out
    /// (VARA: the amount and the existential deposit).
    pub needed: u128,
    pub reading: Reading,
}

/// Promises below a reading's nonce are dropped only this far behind it, so that processes
/// whose readings are of different ages (each caches its own) rarely make each other read
/// again.
pub const PRUNE_SLACK: u32 = 32;

/// What [`SharedLane::handed`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handoff {
    /// Hand it to its seller.
    Handed,
    /// No longer the holder with that nonce: take the turn again, do not hand it.
    NotHolder,
    /// The reading is older than the promises the record still keeps: read the balance again.
    ReadAgain,
    /// The balance, less what the fleet promised since it was read, cannot cover `needed`.
    Short { free: u128, promised: u128, needed: u128 },
}

/// The payment whose turn it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    pub id: String,
    /// The store's clock (ms) after which the turn is taken from it.
    pub until: f64,
    pub handed: Option<HandedOut>,
}

/// What the holder handed to its seller: what the next payment looks for in the pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HandedOut {
    pub nonce: u32,
    /// The extrinsic's hash, hex.
    pub tx_hash: String,
    pub valid_until: u64,
    pub at_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiter {
    pub id: String,
    pub until: f64,
}

/// What a waiting payment learns when it asks for the turn.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The turn is this payment's: use the cursor, after reading the chain if `read_chain`.
    Holder { cursor: Option<u32>, read_chain: bool },
    /// Not yet. `watch`: this payment is next, and the holder handed out this nonce and
    /// extrinsic: when the pool shows it, the turn moves on ([`SharedLane::pooled`]).
    Wait { watch: Option<(String, HandedOut)> },
}

/// How the holder's payment ended, for the shared nonce facts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ended {
    /// Its seller took it (a 2xx): the nonce is used (see [`crate::vara::nonces::Outcome`]).
    Taken { nonce: u32, valid_until: u64, stale_after_ms: f64 },
    /// Refused, or its fate unknown: the next payment reads the chain first.
    Refused,
    /// It never left its process.
    NotSent,
}

impl SharedLane {
    /// Ends what has outlived its lease: waiters whose process stopped renewing, a holder
    /// whose process died or whose seller neither answered nor submitted in time (the next
    /// payment then reads the chain: the pool shows whether that payment is there).
    pub fn expire(&mut self, now: f64) {
        self.waiting.retain(|w| w.until >= now);
        if self.holder.as_ref().is_some_and(|h| h.until < now) {
            self.holder = None;
            self.nonces.verify = true;
        }
    }

    /// Takes a place in the queue; returns the nonce it will most likely get (to sign with
    /// before its turn), when the cursor is known.
    pub fn join(&mut self, id: &str, now: f64, lease_ms: f64) -> Option<u32> {
        self.expire(now);
        if !self.waiting.iter().any(|w| w.id == id) {
            self.waiting.push(Waiter { id: id.into(), until: now + lease_ms });
        }
        let ahead = self.waiting.iter().position(|w| w.id == id).unwrap_or(0) as u32;
        let holding = self.holder.as_ref().is_some_and(|h| h.handed.is_none()) as u32;
        self.nonces.cursor.map(|c| c.saturating_add(ahead + holding))
    }

    /// Asks for the turn. `read`: the payer's nonces (included, pooled) and the head they
    /// were read at, when this process's chain watcher knows them (a payment that never
    /// lands stops holding the others, as in one process).
    pub fn step(&mut self, id: &str, now: f64, lease_ms: f64, read: Option<(u32, u32, u64)>) -> Step {
        self.expire(now);
        if let Some((included, pooled, best)) = read {
            self.nonces.observe_included(included, pooled, best, now);
        }
        if let Some(h) = &self.holder {
            if h.id == id {
                return Step::Holder { cursor: self.nonces.cursor, read_chain: self.nonces.needs_chain() };
            }
        }
        match self.waiting.iter_mut().find(|w| w.id == id) {
            // Renewed only when half the lease is gone: most asks then write nothing.
            Some(w) if w.until - now < lease_ms / 2.0 => w.until = now + lease_ms,
            Some(_) => {}
            // This process stalled past its lease: back in the queue, at its end.
            None => self.waiting.push(Waiter { id: id.into(), until: now + lease_ms }),
        }
        let first = self.waiting.first().is_some_and(|w| w.id == id);
        match &self.holder {
            None if first => {
                self.waiting.remove(0);
                self.holder = Some(Holder { id: id.into(), until: now + lease_ms, handed: None });
                Step::Holder { cursor: self.nonces.cursor, read_chain: self.nonces.needs_chain() }
            }
            Some(h) if first => Step::Wait { watch: h.handed.clone().map(|x| (h.id.clone(), x)) },
            _ => Step::Wait { watch: None },
        }
    }

    /// A record that does not know the chain yet (new, or lost when Redis restarted empty)
    /// takes in this process's payments a seller took or still holds, `(nonce, valid_until)`:
    /// a seller that answers before it submits may not have put them in the node's pool yet,
    /// and their nonces must not be given again. They stay in flight under the one-process
    /// rules: [`Self::observe`] keeps the cursor past them only when the first of them is the
    /// chain's next nonce, and one that neither a block nor the pool shows goes stale after
    /// `stale_after_ms` and 4 blocks.
    pub fn adopt(&mut self, own: &[(u32, u64)], best: u64, now: f64, stale_after_ms: f64) {
        if self.nonces.cursor.is_some() {
            return;
        }
        self.nonces.best = self.nonces.best.max(best);
        for &(nonce, valid_until) in own.iter().filter(|(_, until)| *until >= best) {
            if self.nonces.in_flight.iter().all(|f| f.nonce != nonce) {
                let at_best = self.nonces.best;
                let stale_at_ms = now + stale_after_ms;
                self.nonces.in_flight.push(crate::vara::nonces::InFlight { nonce, valid_until, stale_at_ms, at_best });
            }
            let after = nonce.saturating_add(1);
            self.nonces.cursor = Some(self.nonces.cursor.map_or(after, |c| c.max(after)));
        }
    }

    /// What a node said of the payer's next nonce (the holder read it): the same rule as in
    /// one process.
    pub fn observe(&mut self, chain_next: u32, best: u64) -> Option<u32> {
        self.nonces.observe(chain_next, best);
        self.nonces.cursor
    }

    /// What the fleet's payments other than `except` promised in `asset` that a balance read
    /// at state nonce `since` does not reflect; `None` when promises that old were pruned.
    /// Of promises sharing a nonce at most one can execute: the largest is counted.
    pub fn promised_since(&self, asset: &str, since: u32, except: &str) -> Option<u128> {
        if since < self.pruned_below {
            return None;
        }
        let mut by_nonce: Vec<(u32, u128)> = Vec::new();
        for p in self.promised.iter().filter(|p| p.asset == asset && p.nonce >= since && p.id != except) {
            let amount = p.amount.parse::<u128>().unwrap_or(u128::MAX);
            match by_nonce.iter_mut().find(|(n, _)| *n == p.nonce) {
                Some((_, a)) => *a = (*a).max(amount),
                None => by_nonce.push((p.nonce, amount)),
            }
        }
        Some(by_nonce.iter().fold(0u128, |sum, (_, a)| sum.saturating_add(*a)))
    }

    /// The holder is about to hand its payment to its seller: it keeps the turn until its
    /// seller answers, the pool shows it, or `turn_timeout_ms` passes, and its `claim` becomes
    /// a promise. Only when it is still the holder with that nonce (else its lease ended while
    /// it signed, and another payment may hold the nonce now: it takes its turn again), and
    /// when the claim fits the balance beside the fleet's other promises. A refusal writes
    /// nothing.
    pub fn handed(&mut self, id: &str, handed: HandedOut, turn_timeout_ms: f64, claim: Option<&Claim>) -> Handoff {
        if self.nonces.cursor != Some(handed.nonce) {
            return Handoff::NotHolder;
        }
        if !self.holder.as_ref().is_some_and(|h| h.id == id && h.until >= handed.at_ms) {
            return Handoff::NotHolder;
        }
        if let Some(c) = claim {
            let Some(promised) = self.promised_since(&c.asset, c.reading.nonce, id) else {
                return Handoff::ReadAgain;
            };
            if c.reading.free.saturating_sub(promised) < c.needed {
                return Handoff::Short { free: c.reading.free, promised, needed: c.needed };
            }
            self.promised.retain(|p| p.id != id);
            if c.amount > 0 {
                let amount = c.amount.to_string();
                self.promised.push(Promise { id: id.into(), asset: c.asset.clone(), amount, nonce: handed.nonce });
            }
            self.prune(c.reading.nonce.saturating_sub(PRUNE_SLACK));
        }
        if let Some(h) = self.holder.as_mut() {
            h.until = handed.at_ms + turn_timeout_ms;
            h.handed = Some(handed);
        }
        Handoff::Handed
    }

    /// Drops the promises below `nonce`: a balance read at or above it reflects them.
    fn prune(&mut self, nonce: u32) {
        if nonce > self.pruned_below {
            self.promised.retain(|p| p.nonce >= nonce);
            self.pruned_below = nonce;
        }
    }

    /// The holder's payment was seen in the node's pool with `nonce`: the nonce is used, the
    /// turn moves on (whatever its seller answers later).
    pub fn pooled(&mut self, holder: &str, nonce: u32, now: f64) -> bool {
        let Some(h) = self.holder.as_ref().filter(|h| h.id == holder) else { return false };
        let Some(x) = h.handed.as_ref().filter(|x| x.nonce == nonce) else { return false };
        if self.nonces.cursor != Some(nonce) {
            return false;
        }
        let until = x.valid_until;
        self.holder = None;
        self.nonces.sent(nonce, until, now + STALE_AFTER_MS);
        true
    }

    /// The payment `id` ended (its seller answered, or it never left). A payment that is no
    /// longer the holder (passed, pooled, expired) changes only what the one-process rule
    /// lets a late answer change.
    pub fn ended(&mut self, id: &str, how: Ended, now: f64) {
        let holding = self.holder.as_ref().is_some_and(|h| h.id == id);
        self.waiting.retain(|w| w.id != id);
        if holding {
            self.holder = None;
        }
        match how {
            Ended::Taken { nonce, valid_until, stale_after_ms } => {
                // Already counted when the pool showed it.
                if !self.nonces.in_flight.iter().any(|f| f.nonce == nonce) {
                    self.nonces.sent(nonce, valid_until, now + stale_after_ms);
                }
            }
            Ended::Refused => self.nonces.verify = true,
            // Never left its process: it takes nothing.
            Ended::NotSent => self.promised.retain(|p| p.id != id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: f64 = 1_000.0;

    fn at(cursor: u32) -> SharedLane {
        let mut l = SharedLane::default();
        l.observe(cursor, 10);
        l
    }

    fn out(nonce: u32, at_ms: f64) -> HandedOut {
        HandedOut { nonce, tx_hash: format!("0x{nonce:02x}"), valid_until: 1_000, at_ms }
    }

    #[test]
    fn payments_of_several_processes_take_turns_first_come_first_served() {
        let mut l = at(5);
        assert_eq!(l.join("a/1", 0.0, LEASE), Some(5));
        assert_eq!(l.join("b/1", 0.0, LEASE), Some(6));
        assert_eq!(l.step("b/1", 1.0, LEASE, None), Step::Wait { watch: None });
        assert_eq!(l.step("a/1", 1.0, LEASE, None), Step::Holder { cursor: Some(5), read_chain: false });
        assert_eq!(l.handed("a/1", out(5, 2.0), 10_000.0, None), Handoff::Handed);
        // b is next: it watches the pool for a's payment.
        assert_eq!(l.step("b/1", 3.0, LEASE, None), Step::Wait { watch: Some(("a/1".into(), out(5, 2.0))) });
        assert!(l.pooled("a/1", 5, 4.0));
        assert_eq!(l.step("b/1", 5.0, LEASE, None), Step::Holder { cursor: Some(6), read_chain: false });
        // a's seller answers late: nothing moves twice.
        l.ended("a/1", Ended::Taken { nonce: 5, valid_until: 1_000, stale_after_ms: STALE_AFTER_MS }, 6.0);
        l.ended("b/1", Ended::Taken { nonce: 6, valid_until: 1_000, stale_after_ms: STALE_AFTER_MS }, 6.0);
        assert_eq!(l.join("c/1", 7.0, LEASE), Some(7));
    }

    #[test]
    fn a_refused_payment_leaves_its_nonce_and_the_next_reads_the_chain() {
        let mut l = at(3);
        l.join("a", 0.0, LEASE);
        l.join("b", 0.0, LEASE);
        l.step("a", 0.0, LEASE, None);
        l.handed("a", out(3, 0.0), 10_000.0, None);
        l.ended("a", Ended::Refused, 1.0);
        assert_eq!(l.step("b", 1.0, LEASE, None), Step::Holder { cursor: Some(3), read_chain: true });
        assert_eq!(l.observe(3, 10), Some(3));
    }

    #[test]
    fn a_dead_process_holds_the_others_up_for_its_lease_only() {
        let mut l = at(0);
        l.join("dead", 0.0, LEASE);
        l.join("live", 0.0, LEASE);
        assert!(matches!(l.step("dead", 0.0, LEASE, None), Step::Holder { .. }));
        // Killed before handing its payment: the turn is its own until the lease ends.
        assert_eq!(l.step("live", LEASE - 1.0, LEASE, None), Step::Wait { watch: None });
        assert_eq!(l.step("live", LEASE + 1.0, LEASE, None), Step::Holder { cursor: Some(0), read_chain: true });
        // A waiter that stopped renewing is dropped from the queue.
        let mut l = at(0);
        l.join("dead", 0.0, LEASE);
        l.join("live", 0.0, LEASE);
        assert_eq!(l.step("live", LEASE + 1.0, LEASE, None), Step::Holder { cursor: Some(0), read_chain: false });
    }

    #[test]
    fn a_handed_payment_keeps_the_turn_for_the_turn_timeout_then_the_chain_decides() {
        let mut l = at(9);
        l.join("a", 0.0, LEASE);
        l.join("b", 0.0, LEASE);
        l.step("a", 0.0, LEASE, None);
        l.handed("a", out(9, 100.0), 5_000.0, None);
        assert!(matches!(l.step("b", 4_000.0, LEASE, None), Step::Wait { .. }));
        assert_eq!(l.step("b", 5_200.0, LEASE, None), Step::Holder { cursor: Some(9), read_chain: true });
    }

    #[test]
    fn a_holder_whose_lease_ended_before_it_handed_its_payment_may_not_hand_it() {
        let mut l = at(7);
        l.join("slow", 0.0, LEASE);
        l.join("next", 0.0, LEASE);
        assert!(matches!(l.step("slow", 0.0, LEASE, None), Step::Holder { cursor: Some(7), .. }));
        // "slow" stalls past its lease; "next" takes the turn and the same nonce.
        assert_eq!(l.step("next", LEASE + 1.0, 1e9, None), Step::Holder { cursor: Some(7), read_chain: true });
        assert_eq!(l.observe(7, 10), Some(7));
        assert_eq!(l.handed("next", out(7, LEASE + 2.0), 10_000.0, None), Handoff::Handed);
        // "slow" wakes up: nonce 7 is another's now; it is not handed (it takes its turn again).
        assert_eq!(l.handed("slow", out(7, LEASE + 3.0), 10_000.0, None), Handoff::NotHolder);
        assert_eq!(l.holder.as_ref().map(|h| h.id.as_str()), Some("next"));
        // Nor by a holder whose lease ended with nobody else around yet.
        let mut l = at(7);
        l.join("slow", 0.0, LEASE);
        l.step("slow", 0.0, LEASE, None);
        assert_eq!(l.handed("slow", out(7, LEASE + 1.0), 10_000.0, None), Handoff::NotHolder);
    }

    #[test]
    fn a_pooled_payment_that_never_lands_stops_holding_the_fleet() {
        let mut l = at(4);
        l.join("a", 0.0, LEASE);
        l.step("a", 0.0, LEASE, None);
        l.handed("a", out(4, 0.0), 10_000.0, None);
        assert!(l.pooled("a", 4, 0.0));
        assert_eq!(l.join("b", 1.0, LEASE), Some(5));
        assert_eq!(
            l.step("b", STALE_AFTER_MS + 1.0, 1e9, Some((4, 4, 14))),
            Step::Holder { cursor: Some(4), read_chain: false }
        );
    }

    #[test]
    fn an_empty_store_rebuilds_from_the_chain() {
        let mut l = SharedLane::default();
        assert_eq!(l.join("a", 0.0, LEASE), None);
        assert_eq!(l.step("a", 0.0, LEASE, None), Step::Holder { cursor: None, read_chain: true });
        assert_eq!(l.observe(17, 3), Some(17));
    }

    const ED: u128 = 10;

    fn claim(amount: u128, free: u128, nonce: u32) -> Claim {
        Claim { asset: String::new(), amount, needed: amount + ED, reading: Reading { free, nonce } }
    }

    /// Takes `id`'s turn and hands it out with `claim`; a handed payment is then seen in the
    /// pool (the turn moves on), a refused one never leaves (as `crate::fleet` ends it).
    fn pay(l: &mut SharedLane, id: &str, c: &Claim) -> Handoff {
        l.join(id, 0.0, LEASE);
        let Step::Holder { cursor: Some(nonce), .. } = l.step(id, 0.0, LEASE, None) else { panic!("not its turn") };
        let answer = l.handed(id, out(nonce, 0.0), 10_000.0, Some(c));
        match answer {
            Handoff::Handed => assert!(l.pooled(id, nonce, 0.0)),
            _ => l.ended(id, Ended::NotSent, 0.0),
        }
        answer
    }

    #[test]
    fn the_balance_is_checked_against_every_process_promises_since_it_was_read() {
        let mut l = at(5);
        // Three processes read 100 at state nonce 5; each payment needs 30 + the deposit (10).
        assert_eq!(pay(&mut l, "a/1", &claim(30, 100, 5)), Handoff::Handed);
        assert_eq!(pay(&mut l, "b/1", &claim(30, 100, 5)), Handoff::Handed);
        assert_eq!(pay(&mut l, "c/1", &claim(30, 100, 5)), Handoff::Handed);
        assert_eq!(pay(&mut l, "a/2", &claim(30, 100, 5)), Handoff::Short { free: 100, promised: 90, needed: 40 });
        assert_eq!(l.promised_since("", 5, ""), Some(90));
        // A newer reading (a/1 and b/1 executed: 40 left at nonce 7) counts c/1 only.
        assert_eq!(l.promised_since("", 7, ""), Some(30));
        assert_eq!(pay(&mut l, "b/2", &claim(5, 40, 7)), Handoff::Short { free: 40, promised: 30, needed: 15 });
        // Top-up to 75: c/1's 30 still counts, 45 is left for a payment needing 15.
        assert_eq!(pay(&mut l, "b/3", &claim(5, 75, 7)), Handoff::Handed);
        // Another asset's promises are not counted against VARA.
        let token = Claim { asset: "0xab".into(), ..claim(1_000, 1_000, 7) };
        assert_eq!(pay(&mut l, "c/2", &Claim { needed: 1_000, ..token }), Handoff::Handed);
        assert_eq!(l.promised_since("", 7, ""), Some(35));
        assert_eq!(l.promised_since("0xab", 7, ""), Some(1_000));
    }

    #[test]
    fn a_refusal_writes_nothing_and_a_payment_that_never_left_takes_nothing() {
        let mut l = at(0);
        assert_eq!(pay(&mut l, "a", &claim(50, 100, 0)), Handoff::Handed);
        l.join("b", 0.0, LEASE);
        assert!(matches!(l.step("b", 0.0, LEASE, None), Step::Holder { cursor: Some(1), .. }));
        let before = l.clone();
        assert!(matches!(l.handed("b", out(1, 0.0), 10_000.0, Some(&claim(50, 100, 0))), Handoff::Short { .. }));
        assert_eq!(l, before, "a refused payment changes nothing");
        l.pruned_below = 3;
        let before = l.clone();
        assert_eq!(l.handed("b", out(1, 0.0), 10_000.0, Some(&claim(1, 100, 2))), Handoff::ReadAgain);
        assert_eq!(l, before);
        // A payment handed out and then never sent gives its promise back.
        l.pruned_below = 0;
        assert_eq!(l.handed("b", out(1, 0.0), 10_000.0, Some(&claim(10, 100, 0))), Handoff::Handed);
        assert_eq!(l.promised_since("", 0, ""), Some(60));
        l.ended("b", Ended::NotSent, 1.0);
        assert_eq!(l.promised_since("", 0, ""), Some(50));
    }

    #[test]
    fn payments_sharing_a_nonce_count_once_since_at_most_one_executes() {
        let mut l = at(3);
        l.join("a", 0.0, LEASE);
        l.step("a", 0.0, LEASE, None);
        assert_eq!(l.handed("a", out(3, 0.0), 10_000.0, Some(&claim(40, 100, 3))), Handoff::Handed);
        // Its seller refused it: its nonce goes to the next payment, which may still lose to it.
        l.ended("a", Ended::Refused, 1.0);
        assert_eq!(pay(&mut l, "b", &claim(30, 100, 3)), Handoff::Handed);
        assert_eq!(l.promised.iter().map(|p| p.nonce).collect::<Vec<_>>(), [3, 3]);
        assert_eq!(l.promised_since("", 3, ""), Some(40));
        // The next payment fits beside the larger of the two.
        assert_eq!(pay(&mut l, "c", &claim(50, 100, 3)), Handoff::Handed);
    }

    #[test]
    fn promises_are_pruned_with_slack_and_an_older_reading_is_read_again() {
        let mut l = at(0);
        for n in 0..40 {
            assert_eq!(pay(&mut l, &format!("a/{n}"), &claim(1, 1_000, 0)), Handoff::Handed);
        }
        assert_eq!(l.promised.len(), 40);
        // A reading at nonce 40 reflects them all, but only those below 40 - 32 are dropped.
        assert_eq!(pay(&mut l, "b/1", &claim(1, 1_000, 40)), Handoff::Handed);
        assert_eq!(l.pruned_below, 40 - PRUNE_SLACK);
        assert_eq!(l.promised.first().map(|p| p.nonce), Some(8));
        assert_eq!(l.promised.len(), 33);
        // A process whose cached reading is a few nonces old is still judged exactly...
        assert_eq!(l.promised_since("", 20, ""), Some(21));
        assert_eq!(pay(&mut l, "c/1", &claim(1, 1_000, 20)), Handoff::Handed);
        // ...one older than what was dropped reads the balance again.
        assert_eq!(l.promised_since("", 7, ""), None);
        assert_eq!(pay(&mut l, "c/2", &claim(1, 1_000, 7)), Handoff::ReadAgain);
        // An older reading never moves the bound back.
        assert_eq!(pay(&mut l, "c/3", &claim(1, 1_000, 9)), Handoff::Handed);
        assert_eq!(l.pruned_below, 8);
    }

    #[test]
    fn a_record_written_before_promises_existed_still_loads() {
        let old = r#"{"nonces":{"cursor":4,"verify":false,"inFlight":[]},"holder":null,"waiting":[]}"#;
        let l: SharedLane = crate::json::from_text(old).unwrap();
        assert_eq!((l.nonces.cursor, l.promised.len(), l.pruned_below), (Some(4), 0, 0));
    }

    #[test]
    fn the_record_round_trips_through_json() {
        let mut l = at(2);
        l.join("a", 0.0, LEASE);
        l.step("a", 0.0, LEASE, None);
        l.handed("a", out(2, 1.5), 10_000.0, None);
        let text = crate::json::to_text(&l);
        assert_eq!(crate::json::from_text::<SharedLane>(&text).unwrap(), l);
    }

    #[test]
    fn a_lost_record_adopts_this_process_s_payments_in_flight() {
        // Payments 5 and 6 taken by a seller that has not submitted them: not in the pool.
        let mut l = SharedLane::default();
        l.adopt(&[(5, 100), (6, 100)], 10, 0.0, 60_000.0);
        assert_eq!(l.observe(5, 10), Some(7), "5 and 6 are not given again");
        // The first of them is not the chain's next nonce (4 is nobody's we know): from 4.
        let mut l = SharedLane::default();
        l.adopt(&[(5, 100)], 10, 0.0, 60_000.0);
        assert_eq!(l.observe(4, 10), Some(4));
        // One whose era ended is not adopted; a record that knows the chain adopts nothing.
        let mut l = SharedLane::default();
        l.adopt(&[(5, 9)], 10, 0.0, 60_000.0);
        assert_eq!(l.observe(5, 10), Some(5));
        let mut l = at(8);
        l.adopt(&[(8, 100)], 10, 0.0, 60_000.0);
        assert_eq!(l.nonces.cursor, Some(8));
        // Never submitted: stale once the bound and 4 blocks passed, and its nonce comes back.
        let mut l = SharedLane::default();
        l.adopt(&[(5, 100)], 10, 0.0, 60_000.0);
        l.observe(5, 10);
        assert!(!l.nonces.observe_included(5, 5, 14, 59_000.0));
        assert!(l.nonces.observe_included(5, 5, 14, 61_000.0));
        assert_eq!(l.nonces.cursor, Some(5));
    }
}
