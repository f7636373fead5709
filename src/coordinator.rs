//! A fleet's coordinator: where processes paying from one account keep what one process's
//! lane keeps (`crate::vara::shared_lane`). The store (Redis, through `js/redis.js`) offers
//! two atomic operations and its clock; every rule stays here, in Rust:
//! - `load(key)`: the record's text, its version, and the store's time;
//! - `swap(key, version, text, ttl)`: writes the text only if the version is unchanged.
//!
//! [`update`] loads, applies a rule, and swaps; when another process wrote in between, it
//! loads again and applies the rule to what that process left (optimistic concurrency: no
//! read-modify-write race, and no lock a dead process could hold). Leases use the store's
//! clock, so processes on machines with different clocks agree on when a lease ends.
//!
//! A store that fails or does not answer in time ends the payment with `COORDINATOR_ERROR`:
//! never a fall-back to local nonces, which would hand out nonces other processes hold.

use crate::error::{Error, ErrorCode, Result};
use core::future::Future;
use core::pin::Pin;
use serde::{de::DeserializeOwned, Serialize};
use std::rc::Rc;

pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + 'a>>;

/// A record as loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// `None` when there is no record (never written, expired, or the store was emptied).
    pub text: Option<String>,
    pub version: u64,
    /// The store's clock, in milliseconds.
    pub now_ms: f64,
}

/// The two operations a coordinator's store provides (errors are `COORDINATOR_ERROR`).
pub trait SharedStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Loaded>;
    /// Writes `text` under `key` when its version is still `version`; `ttl_ms` > 0 makes the
    /// record expire that long after this write. False when another process wrote first.
    fn swap<'a>(&'a self, key: &'a str, version: u64, text: &'a str, ttl_ms: u64) -> StoreFuture<'a, bool>;
}

/// A fleet's coordinator as a payment uses it.
#[derive(Clone)]
pub struct Coordinator {
    pub store: Rc<dyn SharedStore>,
    /// What every key starts with (several fleets, or environments, in one Redis).
    pub prefix: String,
    /// How long a place in a lane outlives a process that stopped renewing it.
    pub lease_ms: u32,
    /// This process's name in the records (random per wasm instance).
    pub process: String,
}

/// The default lease: a dead process holds the others up at most this long (well under an
/// era: 64 blocks of 3 s).
pub const LEASE_MS: u32 = 5_000;

/// Records of lanes expire a day after their last change (an idle lane is read from the
/// chain again).
pub const LANE_TTL_MS: u64 = 86_400_000;

/// Gives up after this many lost races in a row (a store under a storm of writers).
const MAX_ATTEMPTS: u32 = 64;

impl Coordinator {
    /// The key of one payer's lane on one chain.
    pub fn lane_key(&self, genesis: &[u8; 32], payer: &crate::vara::address::AccountId) -> String {
        format!("{}:lane:{}:{}", self.prefix, crate::hexutil::encode(genesis), crate::hexutil::encode(&payer.0))
    }
}

/// Applies `rule` to the record under `key` (a default one when there is none) and writes it
/// back atomically; returns what the rule returned. The rule may run more than once (each
/// time on the latest record), so it must only change the record it is given. Nothing is
/// written when the rule left the record as it was.
pub async fn update<T, R>(
    store: &dyn SharedStore,
    key: &str,
    ttl_ms: u64,
    mut rule: impl FnMut(&mut T, f64) -> R,
) -> Result<R>
where
    T: Serialize + DeserializeOwned + Default,
{
    let mut result = None;
    let mut on_text = |text: Option<&str>, now_ms: f64| -> Result<Option<String>> {
        let mut record: T = match text {
            Some(text) => crate::json::from_text(text).map_err(|e| {
                Error::new(
                    ErrorCode::CoordinatorError,
                    format!("the coordinator's record {key} is not one of ours: {e}"),
                )
            })?,
            None => T::default(),
        };
        result = Some(rule(&mut record, now_ms));
        let written = crate::json::to_text(&record);
        Ok((text != Some(written.as_str())).then_some(written))
    };
    update_text(store, key, ttl_ms, &mut on_text).await?;
    result.ok_or_else(|| Error::new(ErrorCode::CoordinatorError, "the coordinator's rule never ran"))
}

/// A rule on a record's text (`None`: no record): the text to write, or `None` to write nothing.
type TextRule<'a> = dyn FnMut(Option<&str>, f64) -> Result<Option<String>> + 'a;

/// The loop of [`update`] on record texts: one copy in the wasm for every record type and
/// rule (`rule` gives the text to write, `None` to write nothing).
async fn update_text(store: &dyn SharedStore, key: &str, ttl_ms: u64, rule: &mut TextRule<'_>) -> Result<()> {
    for _ in 0..MAX_ATTEMPTS {
        let loaded = store.load(key).await?;
        let Some(text) = rule(loaded.text.as_deref(), loaded.now_ms)? else { return Ok(()) };
        if store.swap(key, loaded.version, &text, ttl_ms).await? {
            return Ok(());
        }
    }
    Err(Error::new(
        ErrorCode::CoordinatorError,
        format!("the coordinator's record {key} kept changing under {MAX_ATTEMPTS} attempts"),
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::block_on;
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    /// An in-memory store with Redis's semantics (a stand-in for native tests: Redis itself
    /// runs in the Node suite).
    #[derive(Default)]
    pub struct MemoryStore {
        pub records: RefCell<HashMap<String, (String, u64)>>,
        pub now: Cell<f64>,
        /// Writes another process slips in before the next swap.
        pub interfere: Cell<u32>,
    }

    impl SharedStore for MemoryStore {
        fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Loaded> {
            let r = self.records.borrow().get(key).cloned();
            let now_ms = self.now.get();
            Box::pin(async move {
                Ok(Loaded { text: r.as_ref().map(|r| r.0.clone()), version: r.map_or(0, |r| r.1), now_ms })
            })
        }

        fn swap<'a>(&'a self, key: &'a str, version: u64, text: &'a str, _ttl: u64) -> StoreFuture<'a, bool> {
            Box::pin(async move {
                let mut records = self.records.borrow_mut();
                let current = records.get(key).map_or(0, |r| r.1);
                if self.interfere.get() > 0 {
                    self.interfere.set(self.interfere.get() - 1);
                    let (t, v) = records.get(key).cloned().unwrap_or(("0".into(), 0));
                    let bumped = t.parse::<u32>().unwrap_or(0) + 100;
                    records.insert(key.into(), (bumped.to_string(), v + 1));
                    return Ok(false);
                }
                if current != version {
                    return Ok(false);
                }
                records.insert(key.into(), (text.into(), version + 1));
                Ok(true)
            })
        }
    }

    #[test]
    fn a_lost_race_applies_the_rule_again_to_what_the_winner_wrote() {
        let store = MemoryStore::default();
        let add = |n: &mut u32, _| {
            *n += 1;
            *n
        };
        assert_eq!(block_on(update(&store, "k", 0, add)).unwrap(), 1);
        store.interfere.set(2); // two other processes write first
        assert_eq!(block_on(update(&store, "k", 0, add)).unwrap(), 202);
        assert_eq!(store.records.borrow()["k"].0, "202");
        // An unchanged record is not written.
        let v = store.records.borrow()["k"].1;
        block_on(update(&store, "k", 0, |_: &mut u32, _| ())).unwrap();
        assert_eq!(store.records.borrow()["k"].1, v);
    }

    #[test]
    fn a_store_that_fails_is_a_coordinator_error() {
        struct Down;
        impl SharedStore for Down {
            fn load<'a>(&'a self, _: &'a str) -> StoreFuture<'a, Loaded> {
                Box::pin(async { Err(Error::new(ErrorCode::CoordinatorError, "connection refused")) })
            }
            fn swap<'a>(&'a self, _: &'a str, _: u64, _: &'a str, _: u64) -> StoreFuture<'a, bool> {
                Box::pin(async { Ok(false) })
            }
        }
        let e = block_on(update(&Down, "k", 0, |n: &mut u32, _| *n)).unwrap_err();
        assert_eq!(e.code, ErrorCode::CoordinatorError);
    }
}
