//! From a chosen requirement to a signed, self-checked payment that takes its turn among the
//! payer's other payments (see [`crate::vara::nonces`] for the rule).
//!
//! Trust boundary: the requirement has passed the caller's policy; the chain facts come from
//! nodes held to the expected genesis; the signer's answer is verified before it is used, and
//! every payment is decoded again exactly as a server would before it leaves.

use crate::amount::U256;
use crate::budget::{asset_key, Ask, Budget, Left};
use crate::coordinator::Coordinator;
use crate::error::{err, Error, ErrorCode, Result};
use crate::fleet::{self, FleetTicket};
use crate::fleet_budget::FleetBudget;
use crate::hexutil;
use crate::inspect::{self, PaymentSummary};
use crate::json::Value;
use crate::ledger::{Answer, Entry, Ledger, Stage, Verdict};
use crate::requirements::{Asset, Requirement};
use crate::scheme::ExactVaraPayload;
use crate::signer::answer::sign_checked;
use crate::signer::Signer;
use crate::vara::address::{AccountId, VARA_SS58_PREFIX};
use crate::vara::calls::{self, Layout};
use crate::vara::chain::{ChainClient, ChainState, SignerMetadata, Snapshot, SnapshotQuery};
use crate::vara::era::Era;
use crate::vara::extrinsic::UnsignedPayload;
use crate::vara::hashing::blake2_256;
use crate::vara::metadata_hash;
use crate::vara::network::Endpoint;
use crate::vara::nonces::{Handed, Outcome, Ticket};
use crate::vara::pool::{self, POOL_POLL_MS};
use crate::vara::rpc::{self, Transport};
use crate::vara::shared_lane::{Claim, Ended, Reading};
use crate::vara::vft::{self, Dialect, Method, TokenFacts, TokenInfo};
use crate::vara::watch::Watched;
use std::rc::Rc;

/// How the gas limit of a token payment (`Gear.send_message`) is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GasLimit {
    /// Ask the node (`gear_calculateHandleGas`) and add a safety margin in percent.
    Calculate {
        margin_percent: u32,
    },
    /// The runtime's block gas limit, as the reference client does (`withGas('max')`).
    Max,
    Fixed(u64),
}

/// The largest gas margin accepted (ten times the node's estimate).
pub const MAX_GAS_MARGIN_PERCENT: u32 = 1_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// Mortality in blocks: a power of two within 4..=4096.
    pub era_period: u64,
    pub tip: u128,
    pub gas_limit: GasLimit,
    /// Refuse native payments below the existential deposit to accounts that do not exist
    /// (the chain rejects them after the fee is paid).
    pub check_existential_deposit: bool,
    /// Whether the node's metadata must agree with the known layout of the payment calls.
    pub layout: Layout,
    /// When to sign with `CheckMetadataHash` mode 1 (the runtime's RFC-78 metadata digest).
    pub metadata_hash: metadata_hash::Mode,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            era_period: 64,
            tip: 0,
            gas_limit: GasLimit::Calculate { margin_percent: 20 },
            check_existential_deposit: true,
            layout: Layout::Pinned,
            metadata_hash: metadata_hash::Mode::Auto,
        }
    }
}

/// Era periods above 4096 blocks are quantized, so their checkpoint is not the latest block.
pub const MAX_ERA_PERIOD: u64 = 4096;

/// A signed payment: the scheme payload a header carries, and what it pays, decoded.
#[derive(Debug, Clone)]
pub struct Signed {
    pub exact: ExactVaraPayload,
    pub summary: PaymentSummary,
    /// The extrinsic's hash (blake2-256 of its encoding), what the chain watcher looks for.
    pub tx_hash: [u8; 32],
    /// Its ledger entry's id (empty when no ledger records it).
    pub entry_id: String,
}

/// The request a payment is for, as the ledger names it.
#[derive(Debug, Clone, Copy)]
pub struct Purchase<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// The seller's origin: the only one the payment may be handed to.
    pub origin: &'a str,
    pub idempotency_key: Option<&'a str>,
}

/// Where a payment is recorded and what bounds it beyond its own limits.
#[derive(Clone, Copy)]
pub struct Books<'a> {
    pub ledger: Option<&'a Rc<Ledger>>,
    pub budget: Option<&'a Budget>,
    pub purchase: Purchase<'a>,
    /// How long a payment waits for the one ahead of it once that one was handed to its
    /// seller (a seller that never answers costs the others this, not an era).
    pub turn_timeout_ms: u32,
    /// A fleet's coordinator: the payer's lane is shared with other processes through it.
    pub coordinator: Option<&'a Coordinator>,
    /// The fleet's side of `budget`, when it is shared through the coordinator.
    pub fleet_budget: Option<&'a FleetBudget>,
    /// How long a payment its seller took may stay out of blocks and the node's pool before
    /// the lane presumes it never submitted (shorter where a 2xx means "executed").
    pub stale_after_ms: f64,
}

/// The default `turnTimeoutMs`.
pub const TURN_TIMEOUT_MS: u32 = 10_000;

impl Books<'static> {
    /// No ledger, no budget (native tests and tools).
    pub const NONE: Books<'static> = Books {
        ledger: None,
        budget: None,
        purchase: Purchase { method: "", url: "", origin: "", idempotency_key: None },
        turn_timeout_ms: TURN_TIMEOUT_MS,
        coordinator: None,
        fleet_budget: None,
        stale_after_ms: crate::vara::nonces::STALE_AFTER_MS_V1,
    };
}

/// Asked once per payment, after the payment is built and before it is signed: a wallet's
/// confirm dialog, an audit log. Refusing stops the payment (`SIGNER_REJECTED`).
#[allow(async_fn_in_trait)]
pub trait Consent {
    async fn approve(&self, preview: &Value) -> Result<()>;
}

/// Consent that is always given (the caller's limits still apply).
pub struct NoPrompt;

impl Consent for NoPrompt {
    async fn approve(&self, _preview: &Value) -> Result<()> {
        Ok(())
    }
}

/// The caller's way to stop a payment (an `AbortSignal` in JS). Nothing is signed after it
/// fired; a payment stopped before it was sent gives its nonce back.
#[allow(async_fn_in_trait)]
pub trait Abort {
    /// Resolves (with the error to report) when the caller stops the payment.
    async fn aborted(&self) -> Error;
    fn check(&self) -> Result<()>;
    /// The platform's timer: resolves after `ms` (never, where there is none).
    async fn sleep(&self, _ms: u32) {
        core::future::pending::<()>().await
    }
    /// The platform's clock, in milliseconds.
    fn now_ms(&self) -> f64 {
        0.0
    }
}

/// A payment nobody stops.
pub struct NeverAbort;

impl Abort for NeverAbort {
    async fn aborted(&self) -> Error {
        core::future::pending().await
    }
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

/// `work`, unless the caller stops first.
async fn abortable<T, A: Abort>(abort: &A, work: impl core::future::Future<Output = Result<T>>) -> Result<T> {
    crate::wait::race(work, async { Err(abort.aborted().await) }).await
}

/// What became of a payment handed to its server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The server took it (a 2xx answer).
    Taken,
    /// The server refused it, or the answer never came: its nonce goes to the next payment.
    Refused,
    /// It was never sent.
    NotSent,
}

/// Everything a payment is made with.
pub struct Payer<'a, T: Transport, S: Signer, A: Abort> {
    pub chain: &'a ChainClient,
    pub transport: &'a T,
    pub endpoint: &'a Endpoint,
    pub signer: &'a S,
    pub options: &'a BuildOptions,
    pub abort: &'a A,
    /// The platform's clock (milliseconds), for the freshness of cached chain facts.
    pub now_ms: f64,
    pub books: Books<'a>,
}

/// A payment ready to be signed: everything but the nonce.
struct Prepared {
    unsigned: UnsignedPayload,
    chain: Rc<ChainState>,
    /// For signers that decode it, and the digest mode 1 signs.
    metadata: Option<Rc<SignerMetadata>>,
    valid_until: u64,
    /// A token's facts as shown: the program's word, the server's `extra` where it is silent.
    token: Option<TokenInfo>,
    /// Its claim on the payer's VARA, for the fleet's check (when the balance was read).
    balance: Option<fleet::Balance>,
}

/// A signed payment whose turn has come: its nonce is held until [`Held::settle`] says what
/// became of it (dropped unsettled, the nonce goes back).
pub struct Held {
    pub signed: Signed,
    turn: Turn,
    valid_until: u64,
    entry: Reservation,
}

impl Held {
    /// Records what became of the payment: in its lane, in its ledger, and with the chain
    /// watcher when it left this process (whatever its seller said, the chain decides).
    fn settle<T: Transport, S: Signer, A: Abort>(
        self,
        payer: &Payer<'_, T, S, A>,
        delivery: Delivery,
        answer: Option<Answer>,
    ) -> Option<(FleetTicket, Ended)> {
        let now = payer.abort.now_ms();
        let stale_after_ms = payer.books.stale_after_ms;
        let (outcome, ended) = match delivery {
            Delivery::Taken => (
                Outcome::Sent { valid_until: self.valid_until, at_ms: now, stale_after_ms },
                Ended::Taken { nonce: self.signed.summary.nonce, valid_until: self.valid_until, stale_after_ms },
            ),
            Delivery::Refused => {
                payer.chain.distrust(payer.endpoint);
                (Outcome::NotTaken, Ended::Refused)
            }
            Delivery::NotSent => (Outcome::Abandoned, Ended::NotSent),
        };
        let fleet = match self.turn {
            Turn::Local(ticket) => {
                ticket.resolve(outcome);
                None
            }
            Turn::Fleet(ticket) => Some((ticket, ended)),
        };
        self.entry.record(payer, &self.signed, self.valid_until, delivery, answer, now);
        fleet
    }
}

impl Reservation {
    /// Writes what became of a handed payment to its ledger entry, and has the chain watcher
    /// confirm it when it left this process (whatever its seller said, the chain decides).
    fn record<T: Transport, S: Signer, A: Abort>(
        self,
        payer: &Payer<'_, T, S, A>,
        signed: &Signed,
        valid_until: u64,
        delivery: Delivery,
        answer: Option<Answer>,
        now: f64,
    ) {
        let Some(ledger) = self.ledger.clone() else { return };
        let id = self.keep();
        if delivery == Delivery::NotSent {
            ledger.advance(&id, Stage::Released, now);
            return;
        }
        if let Some(answer) = answer {
            ledger.update(&id, now, |e| {
                e.stage = Stage::Answered;
                e.answer = Some(answer);
            });
        }
        let summary = &signed.summary;
        payer.chain.watcher(payer.endpoint).watch(Watched {
            ledger,
            entry_id: id,
            payer: summary.payer,
            nonce: summary.nonce,
            tx_hash: signed.tx_hash,
            valid_from: summary.valid_from as u32,
            valid_until,
        });
    }
}

/// A payment's place among the payer's payments: in this process's lane, or in a fleet's.
enum Turn {
    Local(Ticket),
    Fleet(FleetTicket),
}

/// A payment's ledger entry while it is being made: released when dropped before it left
/// (refused consent, an abort, a failed signature), kept once handed to a seller.
struct Reservation {
    ledger: Option<Rc<Ledger>>,
    id: String,
    kept: bool,
    now_ms: f64,
}

impl Reservation {
    fn keep(mut self) -> String {
        self.kept = true;
        core::mem::take(&mut self.id)
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if let (false, Some(ledger)) = (self.kept, &self.ledger) {
            ledger.advance(&self.id, Stage::Released, self.now_ms);
        }
    }
}

/// Checks the budget and reserves the amount in the ledger, in one synchronous step, so
/// concurrent payments cannot overshoot.
fn reserve<T: Transport, S: Signer, A: Abort>(
    payer: &Payer<'_, T, S, A>,
    requirement: &Requirement,
    payer_address: &AccountId,
) -> Result<Reservation> {
    let books = &payer.books;
    let now = payer.abort.now_ms();
    let Some(ledger) = books.ledger else {
        return Ok(Reservation { ledger: None, id: String::new(), kept: false, now_ms: now });
    };
    let prefix = requirement.network.ss58_prefix();
    let pay_to = requirement.pay_to.to_ss58(prefix);
    let asset = asset_key(&requirement.asset);
    let amount = requirement.amount.to_string();
    if let Some(budget) = books.budget {
        let amount = u128::try_from(requirement.amount).unwrap_or(u128::MAX);
        budget.check(&asset, amount, books.purchase.origin, &pay_to, now)?;
    }
    let id = crate::proto::v2::new_payment_id()?;
    ledger.insert(Entry {
        id: id.clone(),
        stage: Stage::Reserved,
        method: books.purchase.method.into(),
        url: books.purchase.url.into(),
        origin: books.purchase.origin.into(),
        idempotency_key: books.purchase.idempotency_key.map(str::to_string),
        budget: books.budget.map(|b| b.id.clone()),
        network: requirement.network.name().into(),
        network_id: requirement.network.caip2().into(),
        asset: requirement.asset.program_hex(),
        amount,
        pay_to,
        payer: payer_address.to_ss58(prefix),
        nonce: None,
        tx_hash: None,
        valid_from: None,
        valid_until: None,
        answer: None,
        chain: None,
        notes: vec![],
        created_ms: now,
        updated_ms: now,
    });
    Ok(Reservation { ledger: Some(ledger.clone()), id, kept: false, now_ms: now })
}

/// Waits for the ticket's turn. While the payment ahead is with its seller, the ticket right
/// behind it asks the node every [`POOL_POLL_MS`] whether that payment reached the pool
/// (then its nonce is used and the turn moves on, see [`crate::vara::nonces::Lane::pooled`]); when it was handed
/// more than `turn_timeout_ms` ago with no answer and is not in the pool, it is passed
/// (see [`crate::vara::nonces::Lane::pass`]).
async fn take_turn<T: Transport, S: Signer, A: Abort>(payer: &Payer<'_, T, S, A>, ticket: &mut Ticket) -> u32 {
    let (abort, timeout_ms) = (payer.abort, payer.books.turn_timeout_ms);
    loop {
        let lane = ticket.lane().clone();
        let seen = (lane.front(), lane.front_handed(), lane.second());
        let (wait, poll) = match lane.front_handed() {
            Some(front) if front.id != ticket.id() => {
                let left = (front.at_ms + timeout_ms as f64 - abort.now_ms()).max(0.0) as u32;
                if left == 0 {
                    lane.pass(front.id);
                    continue;
                }
                let behind = lane.second() == Some(ticket.id());
                if behind {
                    (left.min(POOL_POLL_MS), Some(front))
                } else {
                    (left, None)
                }
            }
            _ => (timeout_ms.max(1_000), None),
        };
        let turn = async { Some(Some(ticket.turn().await)) };
        let timer = async {
            abort.sleep(wait).await;
            Some(None)
        };
        // Another payment's turn moved on: plan again (this one may now be right behind).
        let moved = async {
            lane.front_changed(seen).await;
            None
        };
        match crate::wait::race(crate::wait::race(turn, timer), moved).await {
            Some(Some(nonce)) => return nonce,
            Some(None) => {}
            None => continue,
        }
        if let Some(front) = poll {
            let who = match payer.signer.account() {
                Ok(a) => a,
                Err(_) => continue,
            };
            let seen = pool::reached(payer.chain, payer.transport, payer.endpoint, &who, front.nonce, &front.tx_hash);
            if let Ok(true) = seen.await {
                lane.pooled(front.id, front.nonce, abort.now_ms());
            }
        }
    }
}

/// Builds, asks consent, signs, and waits for its turn (signing again if an earlier payment
/// was refused). Boxed: every caller of [`pay`] shares this one copy of the pipeline.
fn hold<'a, T: Transport, S: Signer, A: Abort, C: Consent>(
    payer: &'a Payer<'_, T, S, A>,
    requirement: &'a Requirement,
    consent: &'a C,
) -> core::pin::Pin<Box<dyn core::future::Future<Output = Result<Held>> + 'a>> {
    Box::pin(async move {
        let abort = payer.abort;
        // What the budget leaves before this payment, for the prompt (a fleet's budget says
        // it with its reservation); then its reservation.
        let left = if payer.books.fleet_budget.is_some() { None } else { budget_left(payer, requirement) };
        let entry = reserve(payer, requirement, &payer.signer.account()?)?;
        let left = abortable(abort, reserve_in_fleet(payer, requirement, &entry.id)).await?.or(left);
        let prepared = abortable(abort, prepare(payer, requirement, &entry.id)).await?;
        let lane = payer.chain.lane(payer.endpoint, &prepared.unsigned.address);
        let shown = preview(requirement, &prepared, lane.peek_next(), left);
        abortable(abort, consent.approve(&shown)).await?;
        abort.check()?;
        let (turn, mut signed) = match payer.books.coordinator {
            None => {
                let mut ticket = lane.reserve();
                let mut signed = abortable(abort, sign(payer, &prepared, requirement, ticket.nonce)).await?;
                let nonce = abortable(abort, async { Ok(take_turn(payer, &mut ticket).await) }).await?;
                if nonce != ticket.nonce {
                    abort.check()?;
                    signed = abortable(abort, sign(payer, &prepared, requirement, nonce)).await?;
                }
                (Turn::Local(ticket), signed)
            }
            Some(coordinator) => {
                let address = prepared.unsigned.address;
                let mut balance = prepared.balance.clone();
                // Before anything is signed: a coordinator out of reach stops the payment here.
                let joined = fleet::join(coordinator, payer, &address, balance.as_ref());
                let (ticket, guess, promised) = abortable(abort, joined).await?;
                let signed = async {
                    let fits = fleet::fits(&ticket, payer, &address, balance.as_mut(), promised);
                    abortable(abort, fits).await?;
                    let guess = guess.unwrap_or_else(|| lane.peek_next());
                    let mut signed = abortable(abort, sign(payer, &prepared, requirement, guess)).await?;
                    loop {
                        let nonce = abortable(abort, fleet::take_turn(&ticket, payer, &address)).await?;
                        if nonce != signed.summary.nonce {
                            abort.check()?;
                            signed = abortable(abort, sign(payer, &prepared, requirement, nonce)).await?;
                        }
                        // Handed only while the turn is still this payment's and the balance
                        // covers it beside the fleet's promises (see fleet::handed).
                        let out = (nonce, &signed.tx_hash, prepared.valid_until);
                        if abortable(abort, fleet::handed(&ticket, payer, &address, out, balance.as_mut())).await? {
                            return Ok(signed);
                        }
                    }
                };
                match signed.await {
                    Ok(signed) => (Turn::Fleet(ticket), signed),
                    Err(e) => {
                        fleet::ended(&ticket, Ended::NotSent).await;
                        return Err(e);
                    }
                }
            }
        };
        signed.entry_id = entry.id.clone();
        if let Some(ledger) = &entry.ledger {
            let (summary, hash) = (&signed.summary, hexutil::encode(&signed.tx_hash));
            ledger.update(&entry.id, abort.now_ms(), |e| {
                e.stage = Stage::Signed;
                e.nonce = Some(summary.nonce);
                e.tx_hash = Some(hash);
                e.valid_from = Some(summary.valid_from);
                e.valid_until = Some(prepared.valid_until);
            });
        }
        Ok(Held { signed, turn, valid_until: prepared.valid_until, entry })
    })
}

/// Builds, asks consent, signs, waits for its turn, hands the payment to `send`, and records
/// what became of it. `send` says whether the payment left and what its seller answered
/// (`None` when the caller sends it itself and no answer is known here).
pub async fn pay<T: Transport, S: Signer, A: Abort, C: Consent, R>(
    payer: &Payer<'_, T, S, A>,
    requirement: &Requirement,
    consent: &C,
    send: impl AsyncFnOnce(&Signed) -> (Result<R>, Delivery, Option<Answer>),
) -> Result<R> {
    let held = match hold(payer, requirement, consent).await {
        Ok(held) => held,
        Err(e) => {
            give_back(payer).await;
            return Err(e);
        }
    };
    if let Some(ledger) = payer.books.ledger {
        ledger.advance(&held.signed.entry_id, Stage::Handed, payer.abort.now_ms());
    }
    let (nonce, tx_hash, until) = (held.signed.summary.nonce, held.signed.tx_hash, held.valid_until);
    match &held.turn {
        Turn::Local(ticket) => {
            let at_ms = payer.abort.now_ms();
            ticket.lane().handed(Handed { id: ticket.id(), at_ms, nonce, tx_hash, valid_until: until })
        }
        // Recorded with the coordinator when its turn was confirmed (`hold`).
        Turn::Fleet(_) => {}
    }
    // `send` stops on an abort itself: it alone knows whether the payment left.
    let (result, delivery, answer) = send(&held.signed).await;
    if let Some((ticket, how)) = held.settle(payer, delivery, answer) {
        fleet::ended(&ticket, how).await;
    }
    give_back(payer).await;
    result
}

/// A payment handed out at once (the caller sends it): the next one gets the next nonce.
pub async fn build_payment<T: Transport, S: Signer, A: Abort, C: Consent>(
    payer: &Payer<'_, T, S, A>,
    requirement: &Requirement,
    consent: &C,
) -> Result<Signed> {
    pay(payer, requirement, consent, async |signed: &Signed| (Ok(signed.clone()), Delivery::Taken, None)).await
}

/// What the chain says of a payment's entry, waiting up to `within_ms` for a verdict (one
/// watcher tick per `step_ms`; a tick reads the node only when a new block is there).
pub async fn verdict_within<T: Transport, S: Signer, A: Abort>(
    payer: &Payer<'_, T, S, A>,
    entry_id: &str,
    within_ms: u32,
    step_ms: u32,
) -> Option<Verdict> {
    let ledger = payer.books.ledger?;
    let watcher = payer.chain.watcher(payer.endpoint);
    let end = payer.abort.now_ms() + within_ms as f64;
    loop {
        if payer.abort.check().is_err() {
            return ledger.get(entry_id).and_then(|e| e.chain);
        }
        if let Some(v) = ledger.get(entry_id).and_then(|e| e.chain) {
            return Some(v);
        }
        let _ = watcher.tick(payer.chain, payer.transport, payer.endpoint, payer.abort.now_ms()).await;
        if let Some(v) = ledger.get(entry_id).and_then(|e| e.chain) {
            return Some(v);
        }
        if payer.abort.now_ms() >= end || payer.abort.check().is_err() {
            return None;
        }
        payer.abort.sleep(step_ms).await;
    }
}

/// What is left of the budget for this payment, for the consent prompt.
fn budget_left<T: Transport, S: Signer, A: Abort>(
    payer: &Payer<'_, T, S, A>,
    requirement: &Requirement,
) -> Option<Value> {
    let budget = payer.books.budget?;
    let pay_to = requirement.pay_to.to_ss58(requirement.network.ss58_prefix());
    let left =
        budget.left(&asset_key(&requirement.asset), payer.books.purchase.origin, &pay_to, payer.abort.now_ms())?;
    Some(left_value(left))
}

fn left_value(left: Left) -> Value {
    let s = |v: Option<u128>| v.map(|v| v.to_string());
    Value::object([
        ("perHour", s(left.per_hour).into()),
        ("perDay", s(left.per_day).into()),
        ("total", s(left.total).into()),
    ])
}

/// A budget shared by a fleet: checked and reserved in the coordinator's record, after this
/// process's own check and before anything is signed. What it left before this payment.
async fn reserve_in_fleet<T: Transport, S: Signer, A: Abort>(
    payer: &Payer<'_, T, S, A>,
    requirement: &Requirement,
    entry_id: &str,
) -> Result<Option<Value>> {
    let (Some(fleet), Some(budget)) = (payer.books.fleet_budget, payer.books.budget) else { return Ok(None) };
    let asset = asset_key(&requirement.asset);
    let pay_to = requirement.pay_to.to_ss58(requirement.network.ss58_prefix());
    let ask = Ask {
        asset: &asset,
        amount: u128::try_from(requirement.amount).unwrap_or(u128::MAX),
        scope: budget.limits.scope,
        origin: payer.books.purchase.origin,
        pay_to: &pay_to,
    };
    Ok(fleet.reserve(budget, entry_id, ask).await?.map(left_value))
}

/// Gives the fleet's budget back what this process's ledger released since its last write
/// (a failure leaves it for the next write: the fleet then counts it a little longer).
async fn give_back<T: Transport, S: Signer, A: Abort>(payer: &Payer<'_, T, S, A>) {
    if let (Some(fleet), Some(budget)) = (payer.books.fleet_budget, payer.books.budget) {
        let _ = fleet.flush(budget).await;
    }
}

async fn prepare<T: Transport, S: Signer, A: Abort>(
    p: &Payer<'_, T, S, A>,
    requirement: &Requirement,
    entry_id: &str,
) -> Result<Prepared> {
    let period = p.options.era_period;
    if !(4..=MAX_ERA_PERIOD).contains(&period) || !period.is_power_of_two() {
        return err(ErrorCode::InvalidOptions, format!("eraPeriod must be a power of two within 4..={MAX_ERA_PERIOD}"));
    }
    if p.endpoint.network != requirement.network {
        return err(ErrorCode::InvalidOptions, "the RPC endpoint is for another network than the requirement");
    }
    let payer = p.signer.account()?;
    let probe = match requirement.asset {
        Asset::Native if p.options.check_existential_deposit => {
            Some((&requirement.pay_to, requirement.native_amount()))
        }
        _ => None,
    };
    let query = SnapshotQuery {
        payer: &payer,
        probe_recipient: probe,
        now_ms: p.now_ms,
        max_checkpoint_uses: (period / 4) as u32,
    };
    let mut snap = p.chain.snapshot(p.transport, p.endpoint, &query).await?;
    // What the payer's other payments may still take from the VARA balance as read.
    let others_at = |snap: &Snapshot| match requirement.asset {
        Asset::Native => {
            let pending = outgoing(p, requirement, &payer, entry_id, snap.payer_nonce);
            u128::try_from(pending).unwrap_or(u128::MAX)
        }
        Asset::Vft(_) => 0,
    };
    let near_edge = |snap: &Snapshot| {
        let needed = match requirement.asset {
            Asset::Native => requirement.native_amount(),
            Asset::Vft(_) => 0,
        };
        let needed = needed.saturating_add(snap.chain.facts.existential_deposit).saturating_add(FEE_HEADROOM);
        snap.payer_free.is_some_and(|f| f.saturating_sub(others_at(snap)) < needed)
    };
    if !snap.read_node && near_edge(&snap) {
        // Near the edge by the balance last read: the account may have been topped up (or
        // drained) since. Read again before judging (only a payment near the edge pays this).
        p.chain.distrust(p.endpoint);
        snap = p.chain.snapshot(p.transport, p.endpoint, &query).await?;
    }
    let facts = &snap.chain.facts;
    let others = others_at(&snap);
    check_balance(&snap, requirement, others)?;
    // A token's balance is read now, not cached: the payments the chain has not judged count.
    let pending = outgoing(p, requirement, &payer, entry_id, None);

    let mut token = None;
    let method = match requirement.asset {
        Asset::Native => {
            let amount = requirement.native_amount();
            if snap.recipient_exists == Some(false) {
                return err(
                    ErrorCode::BelowExistentialDeposit,
                    format!(
                        "{} is below the existential deposit ({}) and the recipient account does not exist: the chain would take the fee and reject the transfer",
                        Asset::Native.describe(amount.into(), Some(12)),
                        Asset::Native.describe(facts.existential_deposit.into(), Some(12)),
                    ),
                );
            }
            calls::native_transfer(facts, &requirement.pay_to.0, amount, p.options.layout)?
        }
        Asset::Vft(program) => {
            let (facts_of_token, gas) = prepare_token(p, &snap.chain, requirement, &program, &payer, pending).await?;
            let (to, amount) = (&requirement.pay_to.0, requirement.amount);
            let call =
                calls::vft_transfer(facts, &program.0, to, amount, facts_of_token.dialect, gas, p.options.layout)?;
            token = Some(facts_of_token.info.or(requirement.stated_token()));
            call
        }
    };
    let (metadata, metadata_hash) = signer_metadata(p, &snap.chain).await?;
    let era = Era::mortal(period, snap.checkpoint.number as u64);
    let unsigned = UnsignedPayload {
        address: payer,
        method,
        era,
        block_hash: snap.checkpoint.hash,
        block_number: snap.checkpoint.number,
        genesis_hash: snap.chain.genesis_hash,
        nonce: 0,
        tip: p.options.tip,
        spec_version: snap.chain.spec_version,
        transaction_version: snap.chain.transaction_version,
        signed_extensions: facts.extension_names(),
        metadata_hash,
        has_mode: facts.has_metadata_hash_extension(),
    };
    let fee = check_fee(p, &snap, requirement, &unsigned, others).await?;
    let valid_until = era.birth(snap.checkpoint.number as u64) + period - 1;
    let balance = claim(&snap, requirement, fee);
    Ok(Prepared { unsigned, chain: snap.chain, metadata, valid_until, token, balance })
}

/// What the payment asks of the payer's VARA in its fleet: its amount (and fee, when it was
/// asked) beside the existential deposit, against the balance this payment was judged on.
fn claim(snap: &Snapshot, requirement: &Requirement, fee: Option<u128>) -> Option<fleet::Balance> {
    let reading = Reading { free: snap.payer_free?, nonce: snap.payer_nonce? };
    let amount = match requirement.asset {
        Asset::Native => requirement.native_amount().saturating_add(fee.unwrap_or(0)),
        // A token payment takes tokens, checked by this process (prepare_token); of VARA it
        // needs the deposit kept.
        Asset::Vft(_) => 0,
    };
    let needed = amount.saturating_add(snap.chain.facts.existential_deposit);
    let asset = requirement.asset.program_hex().unwrap_or_default();
    Some(fleet::Balance { claim: Claim { asset, amount, needed, reading }, fresh: snap.read_node })
}

/// The metadata, for signers that decode it, and the digest when the payment signs with
/// `CheckMetadataHash` mode 1 (read once per runtime version; see vara::metadata_hash).
async fn signer_metadata<T: Transport, S: Signer, A: Abort>(
    p: &Payer<'_, T, S, A>,
    chain: &ChainState,
) -> Result<(Option<Rc<SignerMetadata>>, Option<[u8; 32]>)> {
    let mode1 = chain.facts.has_metadata_hash_extension() && p.options.metadata_hash.wanted(p.endpoint);
    if !mode1 && !p.signer.wants_metadata() {
        return Ok((None, None));
    }
    let metadata = p.chain.signer_metadata(p.transport, p.endpoint, chain, mode1).await?;
    let digest = if mode1 { metadata.digest } else { None };
    Ok((Some(metadata), digest))
}

/// Above this much spare balance (1 VARA, some hundred times a transfer's fee) the fee is
/// not worth a round trip.
const FEE_HEADROOM: u128 = 1_000_000_000_000;

/// A native payment whose payer is close to the edge: the fee, asked of the runtime, must fit
/// beside the amount, the existential deposit and what the payer's other payments may take
/// (`others`), or the chain would take the fee and fail the transfer. When the node cannot
/// say, the chain decides. Returns the fee when it was asked.
async fn check_fee<T: Transport, S: Signer, A: Abort>(
    p: &Payer<'_, T, S, A>,
    snap: &Snapshot,
    requirement: &Requirement,
    unsigned: &UnsignedPayload,
    others: u128,
) -> Result<Option<u128>> {
    let (Some(free), Asset::Native) = (snap.payer_free, &requirement.asset) else { return Ok(None) };
    let free = free.saturating_sub(others);
    let facts = &snap.chain.facts;
    let needed = requirement.native_amount().saturating_add(facts.existential_deposit);
    if free >= needed.saturating_add(FEE_HEADROOM) {
        return Ok(None);
    }
    let mut dummy = [0u8; 65];
    dummy[0] = 1; // sr25519: the fee depends on the length, not on the signature
    let fee = match p.chain.estimate_fee(p.transport, p.endpoint, &unsigned.signed_extrinsic(facts, &dummy)).await {
        Ok(fee) => fee,
        Err(e) if e.code == ErrorCode::Aborted => return Err(e),
        Err(_) => return Ok(None),
    };
    if free < needed.saturating_add(fee) {
        let describe = |v: u128| Asset::Native.describe(v.into(), Some(12));
        return err(
            ErrorCode::InsufficientBalance,
            format!(
                "the payer has {} free, below the amount plus the existential deposit ({}) plus the fee ({}): fund the account",
                describe(free),
                describe(needed),
                describe(fee),
            ),
        );
    }
    Ok(Some(fee))
}

/// What this payer's other payments in this asset (VARA or one token) on this network may still
/// take from a balance read at state nonce `since`: every ledger entry that can still move
/// money (not dead or released, executed included) whose nonce is unknown or at least `since`
/// (a lower one is reflected in that balance, or can never execute). Without `since` (a token
/// balance read now), the entries the chain has not judged yet. Either way a refusal near the
/// edge at worst, never a payment above the balance.
fn outgoing<T: Transport, S: Signer, A: Abort>(
    p: &Payer<'_, T, S, A>,
    requirement: &Requirement,
    payer: &AccountId,
    this_entry: &str,
    since: Option<u32>,
) -> U256 {
    let Some(ledger) = p.books.ledger else { return U256::zero() };
    let me = payer.to_ss58(requirement.network.ss58_prefix());
    let asset = requirement.asset.program_hex();
    let mut sum = U256::zero();
    ledger.for_each(|e| {
        let live = match since {
            Some(n) => e.stage.may_cost() && e.nonce.is_none_or(|x| x >= n),
            None => !e.stage.is_final(),
        };
        let live = live && e.asset == asset && e.network == requirement.network.name();
        // Not this payment's own reservation: it is the one being checked.
        if live && e.payer == me && e.id != this_entry {
            sum = sum.saturating_add(U256::from_dec_str(&e.amount).unwrap_or(U256::MAX));
        }
    });
    sum
}

/// The payer must keep the existential deposit after paying (transfers keep the account
/// alive), and the fee comes on top; `outgoing` is what its other pending payments may take.
fn check_balance(snap: &Snapshot, requirement: &Requirement, outgoing: u128) -> Result<()> {
    let Some(free) = snap.payer_free.map(|f| f.saturating_sub(outgoing)) else { return Ok(()) };
    let deposit = snap.chain.facts.existential_deposit;
    let needed = match requirement.asset {
        Asset::Native => requirement.native_amount().saturating_add(deposit),
        Asset::Vft(_) => deposit,
    };
    if free < needed {
        let what = match requirement.asset {
            Asset::Native => "the amount plus the existential deposit",
            Asset::Vft(_) => "the existential deposit",
        };
        let since = if outgoing > 0 { " once its payments not yet reflected in its balance are counted" } else { "" };
        return err(
            ErrorCode::InsufficientBalance,
            format!(
                "the payer has {} free{since}, below {what} ({}), before the fee: fund the account",
                Asset::Native.describe(free.into(), Some(12)),
                Asset::Native.describe(needed.into(), Some(12)),
            ),
        );
    }
    Ok(())
}

async fn sign<T: Transport, S: Signer, A: Abort>(
    p: &Payer<'_, T, S, A>,
    prepared: &Prepared,
    requirement: &Requirement,
    nonce: u32,
) -> Result<Signed> {
    let facts = &prepared.chain.facts;
    let mut unsigned = prepared.unsigned.clone();
    unsigned.nonce = nonce;
    let metadata = prepared.metadata.as_ref().map(|m| m.bytes.as_slice());
    // The signer's answer is checked before it is used (signer::answer).
    let signature = sign_checked(p.signer, &unsigned, facts, metadata).await?;
    let exact =
        ExactVaraPayload { transaction: unsigned.to_json(VARA_SS58_PREFIX), signature: hexutil::encode(&signature) };
    let mut summary = self_check(&exact, &prepared.chain, requirement, p.options.layout)?;
    summary.token = prepared.token.clone();
    let tx_hash = extrinsic_hash(&unsigned, facts, &signature);
    Ok(Signed { exact, summary, tx_hash, entry_id: String::new() })
}

/// The hash the chain knows the signed extrinsic by (blake2-256 of its encoding). `signature`
/// is the checked MultiSignature: 65 bytes (sr25519, ed25519) or 66 (ecdsa), type byte first.
fn extrinsic_hash(
    unsigned: &UnsignedPayload,
    facts: &crate::vara::metadata::RuntimeFacts,
    signature: &[u8],
) -> [u8; 32] {
    blake2_256(&unsigned.signed_extrinsic(facts, signature))
}

/// Decodes the payment exactly as a server would and checks it pays what was asked.
fn self_check(
    exact: &ExactVaraPayload,
    chain: &ChainState,
    requirement: &Requirement,
    layout: Layout,
) -> Result<PaymentSummary> {
    let as_bug = |e: Error| {
        Error::new(ErrorCode::SelfCheckFailed, format!("emitted payment failed its self-check: {}", e.message))
    };
    let summary = inspect::inspect(exact, requirement.network, requirement.asset_wire.as_deref(), chain, layout)
        .map_err(as_bug)?;
    inspect::matches_requirement(&summary, requirement).map_err(as_bug)?;
    Ok(summary)
}

/// A token payment's program facts and gas limit, from one round trip at most. The program
/// is asked what it is (dialect, decimals, symbol, name) the first time it is paid, and the
/// payer's token balance is read then and with every gas estimate: a payer short of tokens is
/// told so before signing (the program would refuse the transfer after the fee was paid).
async fn prepare_token<T: Transport, S: Signer, A: Abort>(
    p: &Payer<'_, T, S, A>,
    state: &ChainState,
    requirement: &Requirement,
    program: &AccountId,
    payer: &AccountId,
    pending: U256,
) -> Result<(Rc<TokenFacts>, u64)> {
    let block_limit = state.facts.block_gas_limit;
    // What a query may burn in the node's dry run: all a block allows, as gear-js asks.
    let query_gas = block_limit.unwrap_or(QUERY_GAS_WITHOUT_BLOCK_LIMIT);
    let calculate = matches!(p.options.gas_limit, GasLimit::Calculate { .. });
    let cached = p.chain.token(p.endpoint, program);
    // Not knowing the program's dialect yet, the gas of the transfer is asked in both.
    let dialects = cached.as_ref().map_or(vec![Dialect::Named, Dialect::Header], |f| vec![f.dialect]);
    let (to, amount) = (&requirement.pay_to.0, requirement.amount);
    let transfers: Vec<_> =
        if calculate { dialects.iter().map(|d| vft::transfer_payload(*d, to, amount)).collect() } else { vec![] };
    let queries = match &cached {
        None => vft::probe(&payer.0),
        Some(f) if calculate => vec![vft::call(f.dialect, Method::BalanceOf, &payer.0)],
        Some(_) => vec![],
    };
    let on = (payer, program);
    let (mins, replies) = match queries.is_empty() {
        true => (vec![], vec![]),
        false => match p.chain.dry_run(p.transport, p.endpoint, on, &transfers, &queries, query_gas).await {
            Ok(answers) => answers,
            // A node that cannot run the program for us (no gear_calculateReplyForHandle):
            // the reference's dialect (first in `dialects`), the server's word on the rest,
            // and the gas of that transfer alone; asked again next time.
            Err(e) if cached.is_none() && rpc::is_not_served(&e) => match transfers.first() {
                Some(named) => {
                    let named = core::slice::from_ref(named);
                    (p.chain.dry_run(p.transport, p.endpoint, on, named, &[], query_gas).await?.0, vec![])
                }
                None => (vec![], vec![]),
            },
            Err(e) => return Err(e),
        },
    };
    let answer = replies.first().and_then(Option::as_deref);
    let (facts, held) = match cached {
        Some(facts) => {
            let held = answer.and_then(|r| vft::balance_reply(facts.dialect, r));
            (facts, held)
        }
        None if replies.is_empty() => {
            (Rc::new(TokenFacts { dialect: Dialect::Named, info: TokenInfo::default() }), None)
        }
        None => {
            let (facts, held) = vft::read_probe(&replies)?;
            (p.chain.remember_token(p.endpoint, *program, facts), Some(held))
        }
    };
    let gas = match p.options.gas_limit {
        GasLimit::Fixed(n) => n,
        GasLimit::Max => block_limit
            .ok_or_else(|| Error::new(ErrorCode::UnsupportedRuntime, "the runtime has no GearGas.BlockGasLimit"))?,
        GasLimit::Calculate { margin_percent } => {
            let i = dialects.iter().position(|d| *d == facts.dialect).unwrap_or(0);
            let min = mins.get(i).copied().ok_or_else(|| Error::new(ErrorCode::RpcError, "no gas estimate"))?;
            with_margin(min, margin_percent, block_limit)
        }
    };
    // The payer's other token payments not yet judged by the chain may still take theirs.
    if let Some(held) = held.filter(|h| h.saturating_sub(pending) < requirement.amount) {
        let shown = facts.info.or(requirement.stated_token());
        let promised = match pending.is_zero() {
            true => String::new(),
            false => {
                format!(" ({} of it promised to its payments the chain has not judged yet)", shown.describe(pending))
            }
        };
        return err(
            ErrorCode::InsufficientBalance,
            format!(
                "the payer holds {} of token {}{promised}, below the {} asked: its program would refuse the transfer after the fee was paid, so nothing was signed",
                shown.describe(held),
                program.to_hex(),
                shown.describe(requirement.amount),
            ),
        );
    }
    Ok((facts, gas))
}

/// A query's gas in the node's dry run when the runtime states no block gas limit.
const QUERY_GAS_WITHOUT_BLOCK_LIMIT: u64 = 100_000_000_000;

/// `min` plus `margin_percent`, never above the block's gas limit, without overflow.
fn with_margin(min: u64, margin_percent: u32, block_limit: Option<u64>) -> u64 {
    let grown = (min as u128) * (100 + margin_percent as u128) / 100;
    let grown = u64::try_from(grown).unwrap_or(u64::MAX);
    block_limit.map_or(grown, |b| grown.min(b))
}

/// What a consent prompt shows: who pays whom how much, on which network, until when.
fn preview(requirement: &Requirement, prepared: &Prepared, nonce: u32, budget_left: Option<Value>) -> Value {
    let prefix = requirement.network.ss58_prefix();
    let unsigned = &prepared.unsigned;
    let birth = unsigned.era.birth(unsigned.block_number as u64);
    Value::object([
        ("network", (&requirement.network_wire).into()),
        ("payer", unsigned.address.to_ss58(prefix).into()),
        ("payTo", requirement.pay_to.to_ss58(prefix).into()),
        ("amount", requirement.amount.to_string().into()),
        ("asset", requirement.asset_wire.clone().into()),
        ("token", prepared.token.as_ref().map(|t| t.to_json(requirement.amount)).into()),
        ("resource", (&requirement.resource).into()),
        ("description", (&requirement.description).into()),
        ("nonce", nonce.into()),
        ("eraPeriod", unsigned.era.period().into()),
        ("validFrom", birth.into()),
        ("validUntil", unsigned.era.period().map(|p| birth + p - 1).into()),
        ("extra", requirement.extra.clone().into()),
        ("budgetLeft", budget_left.into()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_margins_never_overflow() {
        assert_eq!(with_margin(1_000, 20, None), 1_200);
        assert_eq!(with_margin(2_000_000_000, MAX_GAS_MARGIN_PERCENT, None), 22_000_000_000);
        assert_eq!(with_margin(u64::MAX, 20, None), u64::MAX);
        assert_eq!(with_margin(2_000_000_000, 20, Some(2_100_000_000)), 2_100_000_000);
    }
}
