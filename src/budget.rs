//! Budgets: caps on what a run may spend, per asset, over rolling windows and in total,
//! optionally per seller. A budget holds no running totals of its own: what is spent is the
//! sum of its ledger's entries that may still cost money (reserved up to executed), so a
//! payment proven dead gives its amount back and a restarted agent resumes its windows from
//! the ledger it loads.
//!
//! A payment reserves its amount (a `reserved` ledger entry) before it is signed, in the same
//! synchronous step as the check, so concurrent payments cannot overshoot.

use crate::error::{Error, ErrorCode, Result};
use crate::ledger::{Entry, Ledger};
use crate::requirements::Asset;
use std::collections::BTreeMap;
use std::rc::Rc;

pub const HOUR_MS: f64 = 3_600_000.0;
pub const DAY_MS: f64 = 86_400_000.0;

/// Caps for one asset, in its smallest unit. `None` is no cap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caps {
    pub per_hour: Option<u128>,
    pub per_day: Option<u128>,
    pub total: Option<u128>,
}

/// Whom the caps apply to separately.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// One sum over every seller.
    #[default]
    All,
    /// A separate sum per seller origin.
    Origin,
    /// A separate sum per recipient (`payTo`).
    PayTo,
}

/// The caps of one budget: assets without caps are not limited by it (the per-payment
/// `maxAmount` still applies).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    /// By asset key: `VARA`, or a token's lowercase program id.
    pub assets: BTreeMap<String, Caps>,
    pub scope: Scope,
    /// What its ledger entries call it: a restarted agent naming the same budget resumes its
    /// windows from the entries it loads. Unnamed budgets get a name of their own.
    pub name: Option<String>,
}

pub struct Budget {
    pub limits: Limits,
    pub ledger: Rc<Ledger>,
    /// The name entries reserved under this budget carry.
    pub id: String,
}

/// What is left of each cap for one payment's asset and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Left {
    pub per_hour: Option<u128>,
    pub per_day: Option<u128>,
    pub total: Option<u128>,
}

/// The key limits use for an asset.
pub fn asset_key(asset: &Asset) -> String {
    match asset {
        Asset::Native => "VARA".into(),
        Asset::Vft(id) => id.to_hex(),
    }
}

impl Budget {
    /// A budget over `ledger`; `fallback_id` names it when `limits` give no name.
    pub fn new(limits: Limits, ledger: Rc<Ledger>, fallback_id: String) -> Self {
        let id = limits.name.clone().unwrap_or(fallback_id);
        Budget { limits, ledger, id }
    }

    fn in_scope(&self, e: &Entry, asset: &str, origin: &str, pay_to: &str) -> bool {
        e.stage.may_cost()
            && e.budget.as_deref() == Some(self.id.as_str())
            && e.asset_key().eq_ignore_ascii_case(asset)
            && match self.limits.scope {
                Scope::All => true,
                Scope::Origin => e.origin == origin,
                Scope::PayTo => e.pay_to == pay_to,
            }
    }

    /// Spent (or reserved) within `span_ms` before `now_ms`, and the oldest such entry's time.
    fn used(&self, asset: &str, origin: &str, pay_to: &str, span_ms: Option<f64>, now_ms: f64) -> (u128, Option<f64>) {
        let mut sum: u128 = 0;
        let mut oldest: Option<f64> = None;
        self.ledger.for_each(|e| {
            if !self.in_scope(e, asset, origin, pay_to) {
                return;
            }
            if span_ms.is_some_and(|span| e.created_ms <= now_ms - span) {
                return;
            }
            sum = sum.saturating_add(e.amount_u128());
            oldest = Some(oldest.map_or(e.created_ms, |o: f64| o.min(e.created_ms)));
        });
        (sum, oldest)
    }

    /// What is left for a payment in `asset` to `origin` / `pay_to`.
    pub fn left(&self, asset: &str, origin: &str, pay_to: &str, now_ms: f64) -> Option<Left> {
        let caps = self.caps(asset)?;
        let left =
            |cap: Option<u128>, span| cap.map(|c| c.saturating_sub(self.used(asset, origin, pay_to, span, now_ms).0));
        Some(Left {
            per_hour: left(caps.per_hour, Some(HOUR_MS)),
            per_day: left(caps.per_day, Some(DAY_MS)),
            total: left(caps.total, None),
        })
    }

    /// Refuses `amount` when any cap would be passed (`BUDGET_EXCEEDED`, saying what is left
    /// and when the window reopens). Call it in the same synchronous step as the reservation.
    pub fn check(&self, asset: &str, amount: u128, origin: &str, pay_to: &str, now_ms: f64) -> Result<()> {
        let Some(caps) = self.caps(asset) else { return Ok(()) };
        for w in windows(caps) {
            let (used, oldest) = self.used(asset, origin, pay_to, w.span_ms, now_ms);
            let reopens = w.span_ms.zip(oldest).map(|(span, oldest)| oldest + span);
            w.admit(Ask { asset, amount, scope: self.limits.scope, origin, pay_to }, used, reopens, "budget")?;
        }
        Ok(())
    }

    /// The caps this budget sets for `asset`, when it sets any.
    pub fn caps(&self, asset: &str) -> Option<&Caps> {
        self.limits.assets.iter().find(|(k, _)| k.eq_ignore_ascii_case(asset)).map(|(_, c)| c)
    }
}

/// One payment as a budget sees it.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub asset: &'a str,
    pub amount: u128,
    pub scope: Scope,
    pub origin: &'a str,
    pub pay_to: &'a str,
}

impl Ask<'_> {
    /// What the caps are summed over for this payment: one sum, or one per seller.
    pub fn scope_key(&self) -> &str {
        match self.scope {
            Scope::All => "",
            Scope::Origin => self.origin,
            Scope::PayTo => self.pay_to,
        }
    }
}

/// One cap over one window (`span_ms` `None`: the total).
pub struct Window {
    pub name: &'static str,
    pub span_ms: Option<f64>,
    pub cap: u128,
}

/// The windows `caps` sets, shortest first.
pub fn windows(caps: &Caps) -> Vec<Window> {
    let mut w = Vec::new();
    if let Some(cap) = caps.per_hour {
        w.push(Window { name: "perHour", span_ms: Some(HOUR_MS), cap });
    }
    if let Some(cap) = caps.per_day {
        w.push(Window { name: "perDay", span_ms: Some(DAY_MS), cap });
    }
    if let Some(cap) = caps.total {
        w.push(Window { name: "total", span_ms: None, cap });
    }
    w
}

impl Window {
    /// Ok when `ask` fits beside `used`; else `BUDGET_EXCEEDED` naming the window, what is left
    /// and when it frees spending again (`reopens_ms`). `what` starts the message.
    pub fn admit(&self, ask: Ask<'_>, used: u128, reopens_ms: Option<f64>, what: &str) -> Result<()> {
        if used.saturating_add(ask.amount) <= self.cap {
            return Ok(());
        }
        let (asset, amount, cap) = (ask.asset, ask.amount, self.cap);
        let left = cap.saturating_sub(used);
        let scope = match ask.scope {
            Scope::All => String::new(),
            Scope::Origin => format!(" for {}", ask.origin),
            Scope::PayTo => format!(" for payTo {}", ask.pay_to),
        };
        let reopens = match reopens_ms {
            Some(at) => format!("; the window frees spending from {} ms after the epoch", at as u64),
            None if self.span_ms.is_none() => "; the total does not reopen".into(),
            None => String::new(),
        };
        let e = Error::new(
            ErrorCode::BudgetExceeded,
            format!(
                "{what}.{asset}.{}{scope}: {amount} would pass the cap of {cap} ({used} spent or reserved, {left} left){reopens}",
                self.name
            ),
        );
        Err(e.with_details(crate::json::Value::object([
            ("window", self.name.into()),
            ("asset", asset.into()),
            ("cap", cap.to_string().into()),
            ("used", used.to_string().into()),
            ("left", left.to_string().into()),
            ("reopensAtMs", reopens_ms.map(|at| at as u64).into()),
        ])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::tests::entry;
    use crate::ledger::{Stage, Verdict};

    fn budget(caps: Caps, scope: Scope) -> Budget {
        let mut limits = Limits { scope, ..Limits::default() };
        limits.assets.insert("VARA".into(), caps);
        Budget::new(limits, Ledger::new(), "b".into())
    }

    #[test]
    fn reservations_count_until_proven_dead() {
        let b = budget(Caps { total: Some(10), ..Caps::default() }, Scope::All);
        b.ledger.insert(entry("a", 6, 0.0));
        assert!(b.check("VARA", 4, "http://shop.test", "x", 1.0).is_ok());
        let e = b.check("vara", 5, "http://shop.test", "x", 1.0).unwrap_err();
        assert_eq!(e.code, ErrorCode::BudgetExceeded);
        assert!(e.message.contains("4 left"), "{}", e.message);
        b.ledger.update("a", 2.0, |e| {
            e.stage = Stage::Dead;
            e.chain = Some(Verdict::dead("nonce-used"));
        });
        assert!(b.check("VARA", 10, "http://shop.test", "x", 3.0).is_ok());
        // Other assets are not capped by this budget, and other budgets' entries not counted.
        assert!(b.check("0xabc", u128::MAX, "http://shop.test", "x", 3.0).is_ok());
        let mut other = entry("c", 10, 4.0);
        other.budget = None;
        b.ledger.insert(other);
        assert!(b.check("VARA", 10, "http://shop.test", "x", 5.0).is_ok());
    }

    #[test]
    fn windows_roll() {
        let b = budget(Caps { per_hour: Some(10), per_day: Some(15), ..Caps::default() }, Scope::All);
        b.ledger.insert(entry("a", 10, 0.0));
        let e = b.check("VARA", 1, "o", "p", HOUR_MS - 1.0).unwrap_err();
        assert!(e.message.contains("perHour"), "{}", e.message);
        assert!(b.check("VARA", 5, "o", "p", HOUR_MS + 1.0).is_ok());
        assert!(b.check("VARA", 6, "o", "p", HOUR_MS + 1.0).unwrap_err().message.contains("perDay"));
        assert_eq!(
            b.left("VARA", "o", "p", HOUR_MS + 1.0),
            Some(Left { per_hour: Some(10), per_day: Some(5), total: None })
        );
    }

    #[test]
    fn per_seller_scopes_sum_separately() {
        let b = budget(Caps { total: Some(10), ..Caps::default() }, Scope::Origin);
        b.ledger.insert(entry("a", 10, 0.0)); // origin http://shop.test
        assert!(b.check("VARA", 1, "http://shop.test", "p", 1.0).is_err());
        assert!(b.check("VARA", 10, "http://other.test", "p", 1.0).is_ok());
    }
}
