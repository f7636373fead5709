//! The ledger and budgets in JavaScript: `PaymentLedger` (entries, events, JSON/CSV export,
//! a store to persist to), the realm's default ledger, budgets shared by the options object
//! that names them, and the loop that drives each chain watcher while payments are pending.
//!
//! Every promise a store or listener returns is observed here: a store that fails is
//! reported to `onError` (or dropped), never left to become an unhandled rejection.

use super::cancel::{Cancel, Timer};
use super::errors::{from_js, to_js};
use super::transport::FetchTransport;
use crate::budget::{Budget, Limits};
use crate::coordinator::Coordinator;
use crate::error::{Error, ErrorCode, Result};
use crate::fleet_budget::FleetBudget;
use crate::ledger::{to_csv, Entry, Ledger};
use crate::vara::address::AccountId;
use crate::vara::network::Endpoint;
use crate::vara::watch::Watched;
use js_sys::{Array, Function, Object, Promise, Reflect, WeakMap};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

thread_local! {
    /// Every ledger of this realm; the first is the default. A `PaymentLedger` is an index.
    static LEDGERS: RefCell<Vec<Rc<Ledger>>> = RefCell::new(vec![Ledger::new()]);
    /// Plain `budget` objects → the budget they name (one per object, shared by every
    /// wrapper, shim and header builder given the same object).
    static BUDGETS: WeakMap = WeakMap::new();
    static BUDGET_TABLE: RefCell<Vec<Rc<Budget>>> = const { RefCell::new(Vec::new()) };
    /// Fleet budgets by coordinator prefix, budget name and ledger: one per record and ledger.
    static FLEET_BUDGETS: RefCell<std::collections::HashMap<(String, String, u32), Rc<FleetBudget>>> =
        RefCell::new(Default::default());
    /// (ledger, chain) pairs whose unconfirmed entries were handed to the watcher.
    static RESUMED: RefCell<std::collections::HashSet<(u32, [u8; 32])>> = RefCell::new(Default::default());
}

/// How often a chain watcher polls the head while payments wait for the chain's verdict
/// (a read of the node happens only when the head moved).
pub const WATCH_POLL_MS: u32 = 1_000;

/// The ledger every payment is recorded in when its options name none.
pub fn default_ledger() -> Rc<Ledger> {
    LEDGERS.with(|l| l.borrow()[0].clone())
}

/// The index options and receipts name `ledger` by.
pub fn ledger_id_of(ledger: &Rc<Ledger>) -> u32 {
    LEDGERS.with(|l| l.borrow().iter().position(|x| Rc::ptr_eq(x, ledger)).unwrap_or(0) as u32)
}

/// The ledger a receipt names.
pub fn ledger_by_id(id: u32) -> Option<Rc<Ledger>> {
    LEDGERS.with(|l| l.borrow().get(id as usize).cloned())
}

fn register(ledger: Rc<Ledger>) -> u32 {
    LEDGERS.with(|l| {
        let mut l = l.borrow_mut();
        l.push(ledger);
        (l.len() - 1) as u32
    })
}

/// The ledger an options object names (`ledger: PaymentLedger`), or the default one.
pub fn ledger_of(value: &JsValue) -> Result<Rc<Ledger>> {
    if value.is_undefined() || value.is_null() {
        return Ok(default_ledger());
    }
    let id = Reflect::get(value, &"ledgerId".into()).ok().and_then(|v| v.as_f64());
    id.and_then(|id| LEDGERS.with(|l| l.borrow().get(id as usize).cloned())).ok_or_else(|| {
        Error::new(ErrorCode::InvalidOptions, "options.ledger must be a PaymentLedger (from PaymentLedger.open())")
    })
}

/// A ledger of payments: every payment from signing to the chain's verdict.
#[wasm_bindgen(js_name = PaymentLedger)]
pub struct JsLedger {
    id: u32,
    inner: Rc<Ledger>,
}

fn entry_to_js(e: &Entry) -> JsValue {
    super::json::to_js(e).unwrap_or(JsValue::UNDEFINED)
}

/// Calls a listener or store method; a throw or a rejected promise goes to `on_error`.
fn call_observed(f: &Function, this: &JsValue, arg: &JsValue, on_error: Option<&Function>) {
    let reported = |e: JsValue| {
        if let Some(h) = on_error {
            let _ = h.call1(&JsValue::UNDEFINED, &e);
        }
    };
    match f.call1(this, arg) {
        Ok(v) if v.has_type::<Promise>() => {
            // Awaited here, so a store or listener that rejects never becomes an unhandled
            // rejection.
            let on_error = on_error.cloned();
            let promise: Promise = v.unchecked_into();
            spawn_local(async move {
                if let (Err(e), Some(h)) = (JsFuture::from(promise).await, on_error) {
                    let _ = h.call1(&JsValue::UNDEFINED, &e);
                }
            });
        }
        Ok(_) => {}
        Err(e) => reported(e),
    }
}

fn method(object: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(object, &name.into()).ok().and_then(|f| f.dyn_into().ok())
}

#[wasm_bindgen(js_class = PaymentLedger)]
impl JsLedger {
    /// `PaymentLedger.open({ store?, onError? })`: a ledger that loads what `store.load()`
    /// returns (JSON lines, or an array of them) and appends every change with
    /// `store.append(line)`. Entries still waiting for the chain are confirmed from the
    /// chain the next time a payment with the same network options runs, or by
    /// `confirmPending(options)`.
    #[wasm_bindgen(unchecked_return_type = "Promise<PaymentLedger>")]
    pub async fn open(
        #[wasm_bindgen(unchecked_optional_param_type = "LedgerOptions")] options: JsValue,
    ) -> Result<JsLedger, JsValue> {
        let ledger = Ledger::new();
        if options.is_undefined() || options.is_null() {
            return Ok(JsLedger { id: register(ledger.clone()), inner: ledger });
        }
        let store = Reflect::get(&options, &"store".into()).unwrap_or(JsValue::UNDEFINED);
        let on_error = method(&options, "onError");
        if !store.is_undefined() && !store.is_null() {
            let (Some(load), Some(append)) = (method(&store, "load"), method(&store, "append")) else {
                return Err(to_js(Error::new(
                    ErrorCode::InvalidOptions,
                    "options.store must have load() and append(line) methods",
                )));
            };
            let loaded = load.call0(&store).map_err(|e| to_js(from_js(e, ErrorCode::InvalidOptions)))?;
            let loaded = JsFuture::from(Promise::resolve(&loaded))
                .await
                .map_err(|e| to_js(from_js(e, ErrorCode::InvalidOptions)))?;
            ledger.restore(parse_lines(&loaded).map_err(to_js)?);
            let store = store.clone();
            ledger.observe(Rc::new(move |e: &Entry| {
                let line = crate::json::to_text(e);
                call_observed(&append, &store, &line.into(), on_error.as_ref());
            }));
        }
        Ok(JsLedger { id: register(ledger.clone()), inner: ledger })
    }

    /// The realm's default ledger (payments whose options name no ledger).
    #[wasm_bindgen(js_name = default)]
    pub fn default_ledger() -> JsLedger {
        JsLedger { id: 0, inner: default_ledger() }
    }

    /// This ledger's index in the realm (how options name it).
    #[wasm_bindgen(getter, js_name = ledgerId)]
    pub fn ledger_id(&self) -> u32 {
        self.id
    }

    /// Entries, oldest first; `filter` keeps those whose fields equal its values
    /// (`{ stage: 'executed', origin: 'https://api.example' }`).
    #[wasm_bindgen(unchecked_return_type = "LedgerEntry[]")]
    pub fn entries(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Partial<LedgerEntry>")] filter: JsValue,
    ) -> Array {
        let out = Array::new();
        for e in self.inner.entries() {
            let js = entry_to_js(&e);
            if matches_filter(&js, &filter) {
                out.push(&js);
            }
        }
        out
    }

    /// One entry by id.
    #[wasm_bindgen(unchecked_return_type = "LedgerEntry | undefined")]
    pub fn get(&self, id: &str) -> JsValue {
        self.inner.get(id).map_or(JsValue::UNDEFINED, |e| entry_to_js(&e))
    }

    /// Calls `listener(entry)` on every change; returns a function that stops it.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn on(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(entry: LedgerEntry) => void")] listener: Function,
    ) -> JsValue {
        let active = Rc::new(core::cell::Cell::new(true));
        let flag = active.clone();
        self.inner.observe(Rc::new(move |e: &Entry| {
            if flag.get() {
                call_observed(&listener, &JsValue::UNDEFINED, &entry_to_js(e), None);
            }
        }));
        Closure::<dyn Fn()>::new(move || active.set(false)).into_js_value()
    }

    /// Every entry as JSON text (an array).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        super::json::to_js(&self.inner.entries()).unwrap_or(JsValue::UNDEFINED)
    }

    /// Every entry as CSV (RFC 4180, a header row first).
    #[wasm_bindgen(js_name = toCSV)]
    pub fn to_csv(&self) -> String {
        to_csv(&self.inner.entries())
    }

    /// Confirms from the chain every entry still waiting for a verdict on the networks these
    /// options reach (a restarted agent calls it once after `open`). Resolves when none waits.
    #[wasm_bindgen(js_name = confirmPending)]
    pub async fn confirm_pending(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
    ) -> Result<(), JsValue> {
        let opts = super::options::JsOptions::from_js(&options).map_err(to_js)?;
        let cancel = Cancel::new(opts.signal.clone());
        let mut endpoints = Vec::new();
        for network in crate::vara::network::Network::ALL {
            if let Ok(endpoint) = opts.core.endpoint(network) {
                resume(&self.inner, &endpoint, opts.rpc_fetch.clone(), opts.core.timeout_ms);
                endpoints.push(endpoint);
            }
        }
        let ledger = self.inner.clone();
        let waiting = || (ledger.unconfirmed().is_empty()).then_some(());
        let wait = async {
            ledger.changed.until(waiting).await;
            Ok(())
        };
        let stop = async { Err(crate::payment::Abort::aborted(&cancel).await) };
        crate::wait::race(crate::wait::race(wait, stop), keep_alive()).await.map_err(to_js)
    }
}

/// Whether `entry` has every field of `filter` with the same value.
fn matches_filter(entry: &JsValue, filter: &JsValue) -> bool {
    if !filter.is_object() {
        return true;
    }
    Object::keys(filter.unchecked_ref::<Object>()).iter().all(|k| {
        let want = Reflect::get(filter, &k).unwrap_or(JsValue::UNDEFINED);
        let have = Reflect::get(entry, &k).unwrap_or(JsValue::UNDEFINED);
        Object::is(&want, &have)
    })
}

/// Store lines (a string of JSON lines, or an array of lines or objects) → entries. A torn
/// last line (a crash mid-write) is skipped; any other bad line is an error.
fn parse_lines(loaded: &JsValue) -> Result<Vec<Entry>> {
    let lines: Vec<String> = if let Some(text) = loaded.as_string() {
        text.lines().map(str::to_string).collect()
    } else if Array::is_array(loaded) {
        Array::from(loaded)
            .iter()
            .map(|l| l.as_string().or_else(|| super::json::stringify(&l)).unwrap_or_default())
            .collect()
    } else if loaded.is_undefined() || loaded.is_null() {
        Vec::new()
    } else {
        return Err(Error::new(ErrorCode::InvalidOptions, "store.load() must give a string or an array of lines"));
    };
    let count = lines.iter().filter(|l| !l.trim().is_empty()).count();
    let mut out = Vec::new();
    for (i, line) in lines.iter().filter(|l| !l.trim().is_empty()).enumerate() {
        match crate::json::from_text::<Entry>(line) {
            Ok(e) => out.push(e),
            Err(_) if i + 1 == count => {} // a write cut short by a crash
            Err(e) => {
                return Err(Error::new(
                    ErrorCode::InvalidOptions,
                    format!("the ledger store's line {} is not an entry: {e}", i + 1),
                ))
            }
        }
    }
    Ok(out)
}

/// The budget a `budget` options object names: the same object, the same budget.
pub fn budget_for(object: &JsValue, limits: &Limits, ledger: &Rc<Ledger>) -> Result<Rc<Budget>> {
    let found = BUDGETS.with(|m| m.get(object.unchecked_ref())).as_f64();
    if let Some(i) = found {
        let budget = BUDGET_TABLE.with(|t| t.borrow()[i as usize].clone());
        if !Rc::ptr_eq(&budget.ledger, ledger) {
            return Err(Error::new(
                ErrorCode::InvalidOptions,
                "this budget object is already used with another ledger: a budget counts the payments of one ledger",
            ));
        }
        return Ok(budget);
    }
    let budget = Rc::new(Budget::new(
        limits.clone(),
        ledger.clone(),
        crate::proto::v2::new_payment_id()?.replace("pay_", "budget_"),
    ));
    let index = BUDGET_TABLE.with(|t| {
        let mut t = t.borrow_mut();
        t.push(budget.clone());
        t.len() - 1
    });
    BUDGETS.with(|m| m.set(object.unchecked_ref(), &JsValue::from_f64(index as f64)));
    Ok(budget)
}

/// The fleet's side of `budget` when the options also name a coordinator: its record is
/// found by the budget's name, so an unnamed budget cannot be shared.
pub fn fleet_budget_for(
    budget: &Rc<Budget>,
    coordinator: &Coordinator,
    ledger: &Rc<Ledger>,
) -> Result<Rc<FleetBudget>> {
    let Some(name) = budget.limits.name.as_deref() else {
        return Err(Error::new(
            ErrorCode::InvalidOptions,
            "options.budget needs a name when options.coordinator is given: the fleet's processes share a budget by its name (budget.name)",
        ));
    };
    let key = (coordinator.prefix.clone(), name.to_string(), ledger_id_of(ledger));
    FLEET_BUDGETS.with(|m| {
        let mut m = m.borrow_mut();
        Ok(m.entry(key).or_insert_with(|| FleetBudget::new(coordinator, name, ledger)).clone())
    })
}

/// Hands a ledger's unconfirmed entries on `endpoint`'s network to its chain watcher (once per
/// ledger and chain: later payments register themselves) and makes sure the watcher runs.
pub fn resume(ledger: &Rc<Ledger>, endpoint: &Endpoint, rpc_fetch: Option<Function>, timeout_ms: u32) {
    let chain = super::api::chain();
    let watcher = chain.watcher(endpoint);
    let key = (ledger_id_of(ledger), endpoint.genesis_hash);
    if !RESUMED.with(|r| r.borrow_mut().insert(key)) {
        drive(endpoint, rpc_fetch, timeout_ms);
        return;
    }
    for e in ledger.unconfirmed() {
        if e.network != endpoint.network.name() {
            continue;
        }
        let (Some(nonce), Some(hash), Some(from), Some(until)) = (e.nonce, &e.tx_hash, e.valid_from, e.valid_until)
        else {
            continue;
        };
        let (Ok(payer), Ok(tx_hash)) = (AccountId::parse(&e.payer), crate::hexutil::decode_fixed::<32>(hash)) else {
            continue;
        };
        watcher.watch(Watched {
            ledger: ledger.clone(),
            entry_id: e.id.clone(),
            payer,
            nonce,
            tx_hash,
            valid_from: from as u32,
            valid_until: until,
        });
    }
    drive(endpoint, rpc_fetch, timeout_ms);
}

/// Resolves never, holding a ref'd timer: while an app awaits a confirmation, Node stays
/// up (the watcher's own timers are unref'd).
async fn keep_alive<T>() -> T {
    loop {
        let timer = Timer::new(1_000);
        let _ = JsFuture::from(timer.promise().clone()).await;
    }
}

/// Starts the loop that ticks `endpoint`'s chain watcher while it has pending payments. Its
/// timers are unref'd in Node, so a process with nothing else to do can still exit.
pub fn drive(endpoint: &Endpoint, rpc_fetch: Option<Function>, timeout_ms: u32) {
    let chain = super::api::chain();
    let watcher = chain.watcher(endpoint);
    if watcher.driven.get() || watcher.pending_count() == 0 {
        return;
    }
    watcher.driven.set(true);
    let endpoint = endpoint.clone();
    spawn_local(async move {
        let cancel = Cancel::default();
        let transport = FetchTransport { fetch: rpc_fetch, timeout_ms, cancel: &cancel };
        while watcher.pending_count() > 0 {
            let timer = Timer::unref(WATCH_POLL_MS);
            let _ = JsFuture::from(timer.promise().clone()).await;
            // A failed tick (a node down for a moment) is tried again at the next one.
            let _ = watcher.tick(&chain, &transport, &endpoint, js_sys::Date::now()).await;
        }
        watcher.driven.set(false);
    });
}

/// A receipt's ledger entry, from its `ledgerId` and `entryId`.
fn entry_of(receipt: &JsValue) -> Option<(Rc<Ledger>, String)> {
    let field = |k: &str| Reflect::get(receipt, &k.into()).ok();
    let ledger = ledger_by_id(field("ledgerId")?.as_f64()? as u32)?;
    Some((ledger, field("entryId")?.as_string()?))
}

/// Sets a receipt's `chain` to what the chain watcher knows now.
pub fn refresh_chain(receipt: &JsValue) {
    if let Some((ledger, id)) = entry_of(receipt) {
        let chain = ledger.get(&id).and_then(|e| e.chain).map_or(JsValue::NULL, |v| entry_field(&v));
        let _ = Reflect::set(receipt, &"chain".into(), &chain);
    }
}

fn entry_field<T: serde::Serialize>(v: &T) -> JsValue {
    super::json::to_js(v).unwrap_or(JsValue::NULL)
}

/// Waits for the chain's verdict on a paid request's payment (`getPaymentReceipt(response)`
/// or an error's `receipt`): `{ status: 'executed' | 'failed' | 'dead', blockNumber,
/// blockHash, index, reason }`. It comes at the latest when the payment's era ends (64
/// blocks by default). `options` are the ones it was paid with (`rpcUrls`,
/// `genesisHashes`, `signal`).
#[wasm_bindgen(js_name = confirmPayment, unchecked_return_type = "Promise<ChainVerdict>")]
pub async fn confirm_payment(
    #[wasm_bindgen(unchecked_param_type = "PaymentReceipt")] receipt: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "X402Options")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let opts = super::options::JsOptions::from_js(&options).map_err(to_js)?;
    let (ledger, id) = entry_of(&receipt).ok_or_else(|| {
        to_js(Error::new(ErrorCode::InvalidOptions, "not a payment receipt of this package (no ledgerId / entryId)"))
    })?;
    let entry = ledger
        .get(&id)
        .ok_or_else(|| to_js(Error::new(ErrorCode::InvalidOptions, format!("the ledger has no entry {id}"))))?;
    if let Some(v) = entry.chain {
        return Ok(entry_field(&v));
    }
    let network = crate::vara::network::Network::parse(&entry.network).map_err(to_js)?;
    let endpoint = opts.core.endpoint(network).map_err(to_js)?;
    resume(&ledger, &endpoint, opts.rpc_fetch.clone(), opts.core.timeout_ms);
    let cancel = Cancel::new(opts.signal.clone());
    let judged = || ledger.get(&id).and_then(|e| e.chain);
    let wait = async { Ok(ledger.changed.until(judged).await) };
    let stop = async { Err(crate::payment::Abort::aborted(&cancel).await) };
    let verdict = crate::wait::race(crate::wait::race(wait, stop), keep_alive()).await.map_err(to_js)?;
    refresh_chain(&receipt);
    Ok(entry_field(&verdict))
}
