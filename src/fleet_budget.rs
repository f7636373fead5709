//! A budget a fleet shares through its coordinator (`options.coordinator` and a named
//! `budget`): every process paying under one budget name reserves in one record, so the caps
//! hold for the fleet, not per process. The record and its rules live here; the store is the
//! coordinator's (`crate::coordinator::update`: load, apply a rule, compare-and-swap).
//!
//! - A payment is checked and reserved in one atomic write, before it is signed.
//! - The record sums reservations per asset and scope in minute buckets for a day, and what
//!   is older in one sum (which only `total` needs): it stays small whatever the fleet pays. A
//!   window counts every bucket that overlaps it, so a cap is never passed; a window reopens
//!   up to a minute later than a per-payment sum would let it.
//! - A reservation this process's ledger proves dead or released is given back with the
//!   process's next write. A process that dies leaves its reservations counted: the fleet can
//!   spend less than its caps, never more.
//! - A record that vanished (Redis restarted without persistence) starts a new epoch. Each
//!   process adds, once per epoch, what its own ledger still counts under the budget and
//!   the epoch does not hold (entries older than the epoch): what dead processes spent is gone
//!   with the old record unless their ledgers are opened again (a file store).

use crate::budget::{windows, Ask, Budget, Caps, Left, DAY_MS};
use crate::coordinator::{update, Coordinator};
use crate::error::Result;
use crate::ledger::{Entry, Ledger, Stage};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

const MINUTE_MS: f64 = 60_000.0;
/// Buckets kept one by one (a day and the minute in progress).
const MINUTES_KEPT: u64 = (DAY_MS / MINUTE_MS) as u64 + 1;

/// The record under `{prefix}:budget:{name}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// Empty until the first write; a new one when the record was lost and made again.
    pub epoch: String,
    /// The store's clock when this epoch began.
    pub since_ms: f64,
    /// By asset and scope: what was reserved (and not given back).
    pub spent: Vec<Spent>,
}

/// One asset's (and scope's) reservations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spent {
    /// `asset|scope`.
    pub key: String,
    /// By minute (ms since the epoch ÷ 60,000), oldest first.
    pub minutes: Vec<Bucket>,
    /// Everything before the kept minutes (decimal).
    pub older: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub minute: u64,
    /// Decimal.
    pub amount: String,
}

/// Where one reservation was counted: what giving it back takes away.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    pub epoch: String,
    pub key: String,
    pub minute: u64,
    pub amount: u128,
}

fn parse(s: &str) -> u128 {
    // Only this module writes these; an unreadable amount counts as the most (never less).
    if s.is_empty() {
        0
    } else {
        s.parse().unwrap_or(u128::MAX)
    }
}

fn minute_of(ms: f64) -> u64 {
    (ms.max(0.0) / MINUTE_MS) as u64
}

impl Spent {
    fn add(&mut self, minute: u64, amount: u128) {
        match self.minutes.iter().position(|b| b.minute >= minute) {
            Some(i) if self.minutes[i].minute == minute => {
                let b = &mut self.minutes[i];
                b.amount = parse(&b.amount).saturating_add(amount).to_string();
            }
            at => self.minutes.insert(at.unwrap_or(self.minutes.len()), Bucket { minute, amount: amount.to_string() }),
        }
    }

    fn take(&mut self, minute: u64, amount: u128) {
        match self.minutes.iter().position(|b| b.minute == minute) {
            Some(i) => {
                let left = parse(&self.minutes[i].amount).saturating_sub(amount);
                if left == 0 {
                    self.minutes.remove(i);
                } else {
                    self.minutes[i].amount = left.to_string();
                }
            }
            None => self.older = parse(&self.older).saturating_sub(amount).to_string(),
        }
    }

    /// Moves minutes older than a day into `older`.
    fn fold(&mut self, now_minute: u64) {
        let oldest_kept = now_minute.saturating_sub(MINUTES_KEPT - 1);
        let old = self.minutes.iter().take_while(|b| b.minute < oldest_kept).count();
        let moved: u128 = self.minutes.drain(..old).fold(0, |sum, b| sum.saturating_add(parse(&b.amount)));
        if moved > 0 {
            self.older = parse(&self.older).saturating_add(moved).to_string();
        }
    }

    /// Reserved within `span_ms` before `now_ms` (every bucket that overlaps the window), and
    /// the oldest such bucket's minute.
    fn used(&self, span_ms: Option<f64>, now_ms: f64) -> (u128, Option<u64>) {
        let mut sum = match span_ms {
            None => parse(&self.older),
            Some(_) => 0,
        };
        let mut oldest = None;
        for Bucket { minute: m, amount } in &self.minutes {
            let m = *m;
            if span_ms.is_some_and(|span| (m + 1) as f64 * MINUTE_MS <= now_ms - span) {
                continue;
            }
            sum = sum.saturating_add(parse(amount));
            oldest = Some(oldest.map_or(m, |o: u64| o.min(m)));
        }
        (sum, oldest)
    }
}

impl Record {
    fn key(ask: &Ask<'_>) -> String {
        format!("{}|{}", ask.asset, ask.scope_key())
    }

    /// Starts an epoch when there is none (a new or a lost record).
    pub fn begin(&mut self, epoch: &str, now_ms: f64) {
        if self.epoch.is_empty() {
            self.epoch = epoch.into();
            self.since_ms = now_ms;
        }
    }

    /// Gives back a reservation counted in this epoch (one from a lost epoch is not here).
    pub fn give(&mut self, c: &Counted) {
        if c.epoch == self.epoch {
            if let Some(s) = self.spent.iter_mut().find(|s| s.key == c.key) {
                s.take(c.minute, c.amount);
            }
        }
    }

    fn spent_mut(&mut self, key: &str) -> &mut Spent {
        match self.spent.iter().position(|s| s.key == key) {
            Some(i) => &mut self.spent[i],
            None => {
                self.spent.push(Spent { key: key.into(), ..Spent::default() });
                self.spent.last_mut().expect("just pushed")
            }
        }
    }

    /// Counts `amount` at `at_ms` without a check (what a ledger already spent).
    pub fn add(&mut self, key: &str, at_ms: f64, amount: u128) -> Counted {
        let minute = minute_of(at_ms);
        self.spent_mut(key).add(minute, amount);
        Counted { epoch: self.epoch.clone(), key: key.into(), minute, amount }
    }

    /// What is left of `caps` for `ask` at `now_ms`.
    pub fn left(&self, ask: &Ask<'_>, caps: &Caps, now_ms: f64) -> Left {
        let key = Self::key(ask);
        let spent = self.spent.iter().find(|s| s.key == key).cloned().unwrap_or_default();
        let left = |cap: Option<u128>, span| cap.map(|c| c.saturating_sub(spent.used(span, now_ms).0));
        Left {
            per_hour: left(caps.per_hour, Some(crate::budget::HOUR_MS)),
            per_day: left(caps.per_day, Some(DAY_MS)),
            total: left(caps.total, None),
        }
    }

    /// Checks `ask` against `caps` and reserves it (nothing is written when a cap would be
    /// passed: `BUDGET_EXCEEDED`, as a budget of one process says it).
    pub fn reserve(&mut self, ask: &Ask<'_>, caps: &Caps, name: &str, now_ms: f64) -> Result<Counted> {
        let key = Self::key(ask);
        let spent = self.spent_mut(&key);
        spent.fold(minute_of(now_ms));
        for w in windows(caps) {
            let (used, oldest) = spent.used(w.span_ms, now_ms);
            let reopens = w.span_ms.zip(oldest).map(|(span, m)| (m + 1) as f64 * MINUTE_MS + span);
            w.admit(*ask, used, reopens, &format!("fleet budget \"{name}\""))?;
        }
        Ok(self.add(&key, now_ms, ask.amount))
    }
}

/// This process's side of one fleet budget (per budget name and ledger).
pub struct FleetBudget {
    coordinator: Coordinator,
    name: String,
    key: String,
    /// This process's reservations the record holds, by ledger entry.
    held: RefCell<HashMap<String, Counted>>,
    /// Reservations proven dead or released, to give back with the next write.
    gives: RefCell<Vec<Counted>>,
    /// The epoch this process added its ledger to.
    joined: RefCell<String>,
    /// Entries whose reservation is being written now.
    reserving: RefCell<Vec<String>>,
}

impl FleetBudget {
    /// The fleet's side of `budget` (which must be named: every process finds the record by
    /// its name). Watches `ledger` for reservations to give back.
    pub fn new(coordinator: &Coordinator, name: &str, ledger: &Rc<Ledger>) -> Rc<Self> {
        let fleet = Rc::new(FleetBudget {
            coordinator: coordinator.clone(),
            name: name.into(),
            key: format!("{}:budget:{name}", coordinator.prefix),
            held: RefCell::default(),
            gives: RefCell::default(),
            joined: RefCell::default(),
            reserving: RefCell::default(),
        });
        let weak: Weak<Self> = Rc::downgrade(&fleet);
        ledger.observe(Rc::new(move |e: &Entry| {
            let Some(fleet) = weak.upgrade() else { return };
            if !e.stage.may_cost() {
                if let Some(c) = fleet.held.borrow_mut().remove(&e.id) {
                    fleet.gives.borrow_mut().push(c);
                }
            } else if e.stage == Stage::Executed {
                // Spent for good: nothing to give back (a lost record adds it from the ledger).
                fleet.held.borrow_mut().remove(&e.id);
            }
        }));
        fleet
    }

    /// Checks and reserves `ask` for ledger entry `entry_id` under `budget`'s caps, in one
    /// atomic write that also gives back what was released since; returns what was left before
    /// it. Caps are the caller's: processes that name one budget should give it the same caps.
    pub async fn reserve(&self, budget: &Budget, entry_id: &str, ask: Ask<'_>) -> Result<Option<Left>> {
        // An asset this budget does not cap costs the fleet no write.
        let Some(caps) = budget.caps(ask.asset) else { return Ok(None) };
        let (left, counted) = self.write(budget, Some((entry_id, ask, caps))).await?;
        self.held.borrow_mut().insert(entry_id.into(), counted.expect("asked")?);
        Ok(left)
    }

    /// Gives back what was released since the last write (a payment that ended unpaid).
    pub async fn flush(&self, budget: &Budget) -> Result<()> {
        if self.gives.borrow().is_empty() {
            return Ok(());
        }
        self.write(budget, None).await.map(|_| ())
    }

    /// One write to the record: gives back what was released, adds this ledger to an epoch it
    /// has not joined, and checks and reserves `ask` when there is one. Written even when the
    /// cap refuses: what was given back or added is in the record then.
    async fn write(
        &self,
        budget: &Budget,
        ask: Option<(&str, Ask<'_>, &Caps)>,
    ) -> Result<(Option<Left>, Option<Result<Counted>>)> {
        let fresh_epoch = crate::proto::v2::new_payment_id()?.replace("pay_", "e");
        // Taken: a concurrent write of this process must not give them back a second time.
        let gives = core::mem::take(&mut *self.gives.borrow_mut());
        let this = ask.map_or("", |a| a.0);
        if !this.is_empty() {
            self.reserving.borrow_mut().push(this.into());
        }
        // Read live when the rule runs (it may run again after a lost race): a concurrent
        // payment of this process may have joined the epoch or reserved meanwhile.
        let rule = |r: &mut Record, now: f64| {
            r.begin(&fresh_epoch, now);
            for g in &gives {
                r.give(g);
            }
            let mut added = Vec::new();
            if r.epoch != *self.joined.borrow() {
                let held = self.held.borrow();
                let reserving = self.reserving.borrow();
                for (id, key, at, amount) in counted_entries(budget) {
                    // Entries from before this epoch, or held in a lost one, are not in this
                    // record; ones whose own reservation is under way will be.
                    if !reserving.contains(&id) && (at < r.since_ms || held.contains_key(&id)) {
                        added.push((id, r.add(&key, at, amount)));
                    }
                }
            }
            let left = ask.map(|(_, a, caps)| r.left(&a, caps, now));
            let counted = ask.map(|(_, a, caps)| r.reserve(&a, caps, &self.name, now));
            (left, counted, added, r.epoch.clone())
        };
        let written = update(&*self.coordinator.store, &self.key, 0, rule).await;
        self.reserving.borrow_mut().retain(|id| id != this);
        let (left, counted, added, epoch) = match written {
            Ok(w) => w,
            Err(e) => {
                // Not written: given back with a later write.
                self.gives.borrow_mut().extend(gives);
                return Err(e);
            }
        };
        *self.joined.borrow_mut() = epoch;
        self.held.borrow_mut().extend(added);
        Ok((left, counted))
    }
}

/// `(id, asset|scope, created, amount)` of the entries `budget` counts.
fn counted_entries(budget: &Budget) -> Vec<(String, String, f64, u128)> {
    let mut out = Vec::new();
    budget.ledger.for_each(|e| {
        if e.stage.may_cost() && e.budget.as_deref() == Some(budget.id.as_str()) {
            let asset = e.asset_key();
            let ask =
                Ask { asset: &asset, amount: 0, scope: budget.limits.scope, origin: &e.origin, pay_to: &e.pay_to };
            out.push((e.id.clone(), Record::key(&ask), e.created_ms, e.amount_u128()));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::{Limits, Scope, HOUR_MS};
    use crate::coordinator::tests::MemoryStore;
    use crate::error::ErrorCode;
    use crate::ledger::tests::entry;
    use crate::testutil::block_on;

    const T0: f64 = 1_800_000_000_000.0;

    fn ask(amount: u128) -> Ask<'static> {
        Ask { asset: "VARA", amount, scope: Scope::All, origin: "http://shop.test", pay_to: "p" }
    }

    fn caps(per_hour: u128, total: u128) -> Caps {
        Caps { per_hour: Some(per_hour), per_day: None, total: Some(total) }
    }

    #[test]
    fn a_cap_is_never_passed_and_a_refusal_writes_nothing() {
        let mut r = Record::default();
        r.begin("e1", T0);
        r.reserve(&ask(6), &caps(10, 100), "b", T0).unwrap();
        let before = r.clone();
        let e = r.reserve(&ask(5), &caps(10, 100), "b", T0 + 1.0).unwrap_err();
        assert_eq!(e.code, ErrorCode::BudgetExceeded);
        assert!(e.message.starts_with("fleet budget \"b\".VARA.perHour"), "{}", e.message);
        assert!(e.message.contains("4 left"), "{}", e.message);
        // The window frees the first reservation's minute an hour after that minute ended.
        let reopens = e.details.as_ref().and_then(|d| d.0.get("reopensAtMs")).and_then(|v| v.as_u64()).unwrap();
        assert_eq!(reopens, ((minute_of(T0) + 1) as f64 * MINUTE_MS + HOUR_MS) as u64);
        let mut after = r.clone();
        after.spent_mut("VARA|").fold(minute_of(T0));
        assert_eq!(after, before, "a refusal changes nothing but folding");
        r.reserve(&ask(4), &caps(10, 100), "b", T0 + 1.0).unwrap();
    }

    #[test]
    fn windows_count_every_bucket_they_overlap_and_roll() {
        let mut r = Record::default();
        r.begin("e1", T0);
        r.reserve(&ask(10), &caps(10, 100), "b", T0).unwrap();
        // Still within the hour of the bucket's end: refused (never early).
        let bucket_end = (minute_of(T0) + 1) as f64 * MINUTE_MS;
        assert!(r.reserve(&ask(1), &caps(10, 100), "b", bucket_end + HOUR_MS - 1.0).is_err());
        assert!(r.reserve(&ask(10), &caps(10, 100), "b", bucket_end + HOUR_MS).is_ok());
        // The total keeps counting what the day folded away.
        let later = T0 + 2.0 * DAY_MS;
        let e = r.reserve(&ask(81), &caps(1000, 100), "b", later).unwrap_err();
        assert!(e.message.contains("total") && e.message.contains("80 left"), "{}", e.message);
        assert_eq!(r.spent_mut("VARA|").older, "20");
        assert!(r.spent_mut("VARA|").minutes.is_empty());
    }

    #[test]
    fn gives_back_only_into_its_own_epoch_and_scopes_sum_apart() {
        let mut r = Record::default();
        r.begin("e1", T0);
        let c = r.reserve(&ask(10), &caps(10, 100), "b", T0).unwrap();
        r.give(&c);
        assert_eq!(r.left(&ask(0), &caps(10, 100), T0).per_hour, Some(10));
        let c = r.reserve(&ask(10), &caps(10, 100), "b", T0).unwrap();
        let mut lost = Record::default();
        lost.begin("e2", T0 + 5.0);
        lost.add("VARA|", T0 + 5.0, 3);
        lost.give(&c);
        assert_eq!(lost.left(&ask(0), &caps(10, 100), T0 + 6.0).per_hour, Some(7));
        let per_origin = |origin| Ask { scope: Scope::Origin, origin, ..ask(10) };
        r.reserve(&per_origin("http://a.test"), &caps(10, 100), "b", T0).unwrap();
        r.reserve(&per_origin("http://b.test"), &caps(10, 100), "b", T0).unwrap();
        assert!(r.reserve(&per_origin("http://a.test"), &caps(10, 100), "b", T0).is_err());
    }

    fn budget(name: &str, per_hour: u128) -> Rc<Budget> {
        let mut limits = Limits { name: Some(name.into()), ..Limits::default() };
        limits.assets.insert("VARA".into(), Caps { per_hour: Some(per_hour), ..Caps::default() });
        Rc::new(Budget::new(limits, Ledger::new(), "x".into()))
    }

    fn coordinator(store: &Rc<MemoryStore>) -> Coordinator {
        Coordinator { store: store.clone(), prefix: "t".into(), lease_ms: 5_000, process: "p1".into() }
    }

    fn reserve_entry(fleet: &FleetBudget, b: &Budget, id: &str, amount: u128, now: f64) -> Result<Option<Left>> {
        let mut e = entry(id, amount, now);
        e.budget = Some(b.id.clone());
        e.stage = Stage::Reserved;
        b.ledger.insert(e);
        let r = block_on(fleet.reserve(b, id, ask(amount)));
        if r.is_err() {
            b.ledger.advance(id, Stage::Released, now);
        }
        r
    }

    /// One store and two processes, each with its ledger and budget "fleet" (10 an hour).
    #[allow(clippy::type_complexity)]
    fn two_processes() -> (Rc<MemoryStore>, (Rc<Budget>, Rc<FleetBudget>), (Rc<Budget>, Rc<FleetBudget>)) {
        let store = Rc::new(MemoryStore::default());
        store.now.set(T0);
        let process = || {
            let b = budget("fleet", 10);
            let f = FleetBudget::new(&coordinator(&store), "fleet", &b.ledger);
            (b, f)
        };
        (store.clone(), process(), process())
    }

    #[test]
    fn two_processes_share_one_cap_and_a_release_comes_back() {
        let (_, (b1, f1), (b2, f2)) = two_processes();
        let left = reserve_entry(&f1, &b1, "a", 6, T0).unwrap().unwrap();
        assert_eq!(left.per_hour, Some(10));
        let e = reserve_entry(&f2, &b2, "b", 6, T0).unwrap_err();
        assert_eq!(e.code, ErrorCode::BudgetExceeded);
        assert_eq!(reserve_entry(&f2, &b2, "c", 4, T0).unwrap().unwrap().per_hour, Some(4));
        // Process 1's payment proven dead: its 6 come back with its next write.
        b1.ledger.advance("a", Stage::Dead, T0 + 1.0);
        assert_eq!(f1.gives.borrow().len(), 1);
        block_on(f1.flush(&b1)).unwrap();
        assert!(f1.gives.borrow().is_empty());
        assert!(reserve_entry(&f2, &b2, "d", 6, T0 + 2.0).is_ok());
        // A refused one was never counted, so nothing comes back for it; an executed one is
        // spent and no longer held.
        assert!(f2.gives.borrow().is_empty());
        b2.ledger.advance("c", Stage::Executed, T0 + 3.0);
        assert!(!f2.held.borrow().contains_key("c") && f2.held.borrow().contains_key("d"));
    }

    #[test]
    fn a_lost_record_is_rebuilt_from_the_ledgers_of_the_live_processes() {
        let (store, (b1, f1), (b2, f2)) = two_processes();
        // A concurrent payment of the process that makes the record, its reservation under
        // way: it is not added as an entry from before the epoch (it reserves itself).
        let mut sibling = entry("s", 9, T0 - 1.0);
        sibling.budget = Some(b1.id.clone());
        b1.ledger.insert(sibling);
        f1.reserving.borrow_mut().push("s".into());
        reserve_entry(&f1, &b1, "a", 3, T0).unwrap();
        f1.reserving.borrow_mut().clear();
        b1.ledger.advance("s", Stage::Released, T0);
        reserve_entry(&f2, &b2, "b", 3, T0).unwrap();
        store.records.borrow_mut().clear(); // Redis restarted empty
        store.now.set(T0 + 10.0);
        // Process 1 starts the new epoch with its own 3; process 2 adds its 3 on first sight.
        assert_eq!(reserve_entry(&f1, &b1, "c", 1, T0 + 10.0).unwrap().unwrap().per_hour, Some(7));
        assert_eq!(reserve_entry(&f2, &b2, "d", 1, T0 + 11.0).unwrap().unwrap().per_hour, Some(3));
        // Once joined, nothing is added twice.
        assert_eq!(reserve_entry(&f2, &b2, "e", 1, T0 + 12.0).unwrap().unwrap().per_hour, Some(2));
        let record: Record = crate::json::from_text(&store.records.borrow()["t:budget:fleet"].0).unwrap();
        assert_eq!(record.left(&ask(0), &caps(10, 100), T0 + 14.0).per_hour, Some(1));
        // A restarted process with a ledger of payments from before the epoch adds them.
        let b3 = budget("fleet", 100);
        let mut old = entry("old", 5, T0 - 1_000.0);
        old.budget = Some(b3.id.clone());
        b3.ledger.insert(old);
        let f3 = FleetBudget::new(&coordinator(&store), "fleet", &b3.ledger);
        let left = reserve_entry(&f3, &b3, "g", 1, T0 + 15.0).unwrap().unwrap();
        assert_eq!(left.per_hour, Some(100 - 9 - 5));
    }
}
