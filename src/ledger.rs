//! The ledger: one entry per payment, from the moment its amount is reserved to the chain's
//! verdict (see `shared/payment-lifecycle.md`).
//!
//! ```text
//! reserved ─► signed ─► handed ─► answered ─┬─► executed  (money moved, or the fee only)
//!    │                                      └─► dead      (money did not move)
//!    └─► released (never signed, or signed and never sent)
//! ```
//! Only the chain watcher ([`crate::vara::watch`]) writes `executed` and `dead`; what a seller
//! says is recorded as its claim (`answer`) and never moves an entry past `answered`.
//! Budgets ([`crate::budget`]) are sums over the entries, so a restarted agent that loads its
//! ledger resumes its budget windows and its pending confirmations.

use crate::wait::Signal;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Reserved,
    Signed,
    Handed,
    Answered,
    Executed,
    Dead,
    Released,
}

impl Stage {
    /// Whether the chain (or the client, for a payment never signed) has had the last word.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Executed | Stage::Dead | Stage::Released)
    }

    /// Whether the entry may still cost its amount (it counts against budgets).
    pub fn may_cost(self) -> bool {
        !matches!(self, Stage::Dead | Stage::Released)
    }

    pub fn name(self) -> &'static str {
        match self {
            Stage::Reserved => "reserved",
            Stage::Signed => "signed",
            Stage::Handed => "handed",
            Stage::Answered => "answered",
            Stage::Executed => "executed",
            Stage::Dead => "dead",
            Stage::Released => "released",
        }
    }
}

/// What the seller said after it was handed the payment: a claim, never a verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// The HTTP status, or `None` when no answer came (reset, timeout, abort after sending).
    pub status: Option<u16>,
    /// The settlement receipt's `success`, when the seller sent one.
    pub claimed_success: Option<bool>,
    pub claimed_tx_hash: Option<String>,
    /// The seller's error reason, when it gave one.
    pub reason: Option<String>,
}

/// What the chain says about the payment's extrinsic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// `executed` (the call ran), `failed` (included, the fee was taken, the call did not
    /// run), or `dead` (never included: its nonce went to another extrinsic, or its era ended).
    pub status: String,
    pub block_number: Option<u32>,
    pub block_hash: Option<String>,
    pub index: Option<u32>,
    /// Why it is dead: `nonce-used` or `era-ended`.
    pub reason: Option<String>,
}

impl Verdict {
    pub fn included(success: bool, block_number: u32, block_hash: String, index: u32) -> Self {
        Verdict {
            status: if success { "executed" } else { "failed" }.into(),
            block_number: Some(block_number),
            block_hash: Some(block_hash),
            index: Some(index),
            reason: None,
        }
    }

    pub fn dead(reason: &str) -> Self {
        Verdict {
            status: "dead".into(),
            block_number: None,
            block_hash: None,
            index: None,
            reason: Some(reason.into()),
        }
    }

    /// Whether the money moved.
    pub fn paid(&self) -> bool {
        self.status == "executed"
    }
}

/// One payment. Amounts are exact decimal strings in the asset's smallest unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: String,
    pub stage: Stage,
    /// The request it paid for.
    pub method: String,
    pub url: String,
    /// The seller's origin (scheme://host:port), the only one the payment may be handed to.
    pub origin: String,
    pub idempotency_key: Option<String>,
    /// The budget it counts against (its `name`), if any.
    #[serde(default)]
    pub budget: Option<String>,
    pub network: String,
    pub network_id: String,
    /// `None` for VARA, else the token's program id.
    pub asset: Option<String>,
    pub amount: String,
    pub pay_to: String,
    pub payer: String,
    pub nonce: Option<u32>,
    pub tx_hash: Option<String>,
    /// The era's first and last block: the payment can be included only within them.
    pub valid_from: Option<u64>,
    pub valid_until: Option<u64>,
    pub answer: Option<Answer>,
    pub chain: Option<Verdict>,
    /// Something an operator should know (a seller that cashed a payment it refused, a
    /// receipt claiming success for a payment that did not execute).
    pub notes: Vec<String>,
    pub created_ms: f64,
    pub updated_ms: f64,
}

impl Entry {
    /// The budget key of its asset: `VARA` or the program id.
    pub fn asset_key(&self) -> String {
        self.asset.clone().unwrap_or_else(|| "VARA".into())
    }

    pub fn amount_u128(&self) -> u128 {
        self.amount.parse().unwrap_or(u128::MAX)
    }
}

/// Told of every change to an entry (the JS store appends it, the JS events fire).
pub type Observer = Rc<dyn Fn(&Entry)>;

/// Entries of one ledger, in the order they were created.
#[derive(Default)]
pub struct Ledger {
    entries: RefCell<Vec<Entry>>,
    /// Entry id → its place in `entries` (lookups by id stay constant-time as a ledger grows).
    index: RefCell<std::collections::HashMap<String, usize>>,
    observers: RefCell<Vec<Observer>>,
    /// Wakes whoever waits for an entry to change (confirmations, the lane).
    pub changed: Signal,
}

impl Ledger {
    pub fn new() -> Rc<Self> {
        Rc::new(Ledger::default())
    }

    pub fn observe(&self, observer: Observer) {
        self.observers.borrow_mut().push(observer);
    }

    /// Adds a new entry (its id must be new).
    pub fn insert(&self, entry: Entry) {
        {
            let mut entries = self.entries.borrow_mut();
            self.index.borrow_mut().insert(entry.id.clone(), entries.len());
            entries.push(entry.clone());
        }
        self.notify(&entry);
    }

    /// Restores entries from a store: the last record of each id wins. Not observed (they
    /// are already stored).
    pub fn restore(&self, records: impl IntoIterator<Item = Entry>) {
        let mut entries = self.entries.borrow_mut();
        let mut index = self.index.borrow_mut();
        for r in records {
            match index.get(&r.id) {
                Some(&i) => entries[i] = r,
                None => {
                    index.insert(r.id.clone(), entries.len());
                    entries.push(r);
                }
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<Entry> {
        let i = *self.index.borrow().get(id)?;
        self.entries.borrow().get(i).cloned()
    }

    /// Whether the entry is judged (or unknown): without copying it.
    pub fn is_final(&self, id: &str) -> bool {
        let Some(&i) = self.index.borrow().get(id) else { return true };
        self.entries.borrow().get(i).is_none_or(|e| e.stage.is_final())
    }

    /// Changes one entry. A final entry does not go back; the update is skipped when the
    /// entry is unknown.
    pub fn update(&self, id: &str, now_ms: f64, change: impl FnOnce(&mut Entry)) -> Option<Entry> {
        let updated = {
            let i = *self.index.borrow().get(id)?;
            let mut entries = self.entries.borrow_mut();
            let e = entries.get_mut(i)?;
            let before = e.stage;
            change(e);
            if before.is_final() && e.stage != before {
                e.stage = before;
            }
            e.updated_ms = now_ms;
            e.clone()
        };
        self.notify(&updated);
        Some(updated)
    }

    /// Moves an entry to `stage` (never backwards from a final stage).
    pub fn advance(&self, id: &str, stage: Stage, now_ms: f64) -> Option<Entry> {
        self.update(id, now_ms, |e| e.stage = stage)
    }

    pub fn entries(&self) -> Vec<Entry> {
        self.entries.borrow().clone()
    }

    /// Calls `f` on each entry without copying them (budget sums).
    pub fn for_each(&self, mut f: impl FnMut(&Entry)) {
        for e in self.entries.borrow().iter() {
            f(e);
        }
    }

    /// Entries not yet judged by the chain that were signed (what a watcher must confirm).
    pub fn unconfirmed(&self) -> Vec<Entry> {
        self.entries.borrow().iter().filter(|e| !e.stage.is_final() && e.tx_hash.is_some()).cloned().collect()
    }

    fn notify(&self, entry: &Entry) {
        let observers = self.observers.borrow().clone();
        for o in observers {
            o(entry);
        }
        self.changed.notify_all();
    }
}

/// The CSV export's columns, in order.
pub const CSV_COLUMNS: [&str; 18] = [
    "id",
    "stage",
    "createdMs",
    "updatedMs",
    "method",
    "url",
    "network",
    "asset",
    "amount",
    "payTo",
    "payer",
    "nonce",
    "txHash",
    "validUntil",
    "answerStatus",
    "chainStatus",
    "blockNumber",
    "notes",
];

/// RFC 4180 CSV of `entries`, one row each, with a header row.
pub fn to_csv(entries: &[Entry]) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }
    let opt = |v: Option<String>| v.unwrap_or_default();
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for e in entries {
        let row = [
            e.id.clone(),
            e.stage.name().into(),
            format!("{}", e.created_ms as u64),
            format!("{}", e.updated_ms as u64),
            e.method.clone(),
            e.url.clone(),
            e.network.clone(),
            e.asset_key(),
            e.amount.clone(),
            e.pay_to.clone(),
            e.payer.clone(),
            opt(e.nonce.map(|n| n.to_string())),
            opt(e.tx_hash.clone()),
            opt(e.valid_until.map(|n| n.to_string())),
            opt(e.answer.as_ref().and_then(|a| a.status).map(|s| s.to_string())),
            opt(e.chain.as_ref().map(|c| c.status.clone())),
            opt(e.chain.as_ref().and_then(|c| c.block_number).map(|n| n.to_string())),
            e.notes.join("; "),
        ];
        out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::Cell;

    pub fn entry(id: &str, amount: u128, created_ms: f64) -> Entry {
        Entry {
            id: id.into(),
            stage: Stage::Reserved,
            method: "GET".into(),
            url: "http://shop.test/paid".into(),
            origin: "http://shop.test".into(),
            idempotency_key: None,
            budget: Some("b".into()),
            network: "vara-testnet".into(),
            network_id: "polkadot:525639f713f397dcf839bd022cd821f3".into(),
            asset: None,
            amount: amount.to_string(),
            pay_to: "kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq".into(),
            payer: "kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW".into(),
            nonce: None,
            tx_hash: None,
            valid_from: None,
            valid_until: None,
            answer: None,
            chain: None,
            notes: vec![],
            created_ms,
            updated_ms: created_ms,
        }
    }

    #[test]
    fn final_stages_do_not_go_back_and_every_change_is_observed() {
        let ledger = Ledger::new();
        let seen = Rc::new(Cell::new(0));
        let s = seen.clone();
        ledger.observe(Rc::new(move |_| s.set(s.get() + 1)));
        ledger.insert(entry("a", 5, 1.0));
        ledger.advance("a", Stage::Signed, 2.0);
        ledger.update("a", 3.0, |e| {
            e.stage = Stage::Executed;
            e.chain = Some(Verdict::included(true, 7, "0x07".into(), 1));
        });
        ledger.advance("a", Stage::Answered, 4.0); // a late seller answer
        let a = ledger.get("a").unwrap();
        assert_eq!(a.stage, Stage::Executed);
        assert_eq!(a.updated_ms, 4.0);
        assert_eq!(seen.get(), 4);
        assert!(ledger.advance("nope", Stage::Dead, 5.0).is_none());
    }

    #[test]
    fn restored_records_keep_the_last_word_per_id() {
        let ledger = Ledger::new();
        let mut a = entry("a", 5, 1.0);
        let b = entry("b", 6, 1.0);
        ledger.restore([a.clone(), b]);
        a.stage = Stage::Handed;
        a.tx_hash = Some("0x01".into());
        ledger.restore([a]);
        assert_eq!(ledger.entries().len(), 2);
        assert_eq!(ledger.get("a").unwrap().stage, Stage::Handed);
        assert_eq!(ledger.unconfirmed().len(), 1);
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let mut e = entry("a", 5, 1.0);
        e.url = "http://shop.test/p?a=1,b=\"2\"".into();
        let csv = to_csv(&[e]);
        let mut lines = csv.split("\r\n");
        assert_eq!(lines.next().unwrap().split(',').count(), CSV_COLUMNS.len());
        assert!(lines.next().unwrap().contains("\"http://shop.test/p?a=1,b=\"\"2\"\"\""));
    }

    #[test]
    fn entries_round_trip_through_json() {
        let mut e = entry("a", u128::MAX, 1.5);
        e.chain = Some(Verdict::dead("era-ended"));
        let text = crate::json::to_text(&e);
        assert!(text.contains("\"amount\":\"340282366920938463463374607431768211455\""));
        let back: Entry = crate::json::from_text(&text).unwrap();
        assert_eq!(back, e);
    }
}
