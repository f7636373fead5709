//! From a chosen requirement to a signed, self-checked payment that takes its turn among the
//! payer's other payments (see [`crate::vara::nonces`] for the rule).
//!
//! Trust boundary: the requirement has passed the caller's policy; the chain facts come from
//! nodes held to the expected genesis; the signer's answer is verified before it is used, and
//! every payment is decoded again exactly as a server would before it leaves.

use crate::error::{err, Error, ErrorCode, Result};
use crate::hexutil;
use crate::inspect::{self, PaymentSummary};
use crate::json::Value;
use crate::requirements::{Asset, Requirement};
use crate::scheme::ExactVaraPayload;
use crate::signer::answer::sign_checked;
use crate::signer::Signer;
use crate::vara::address::{AccountId, VARA_SS58_PREFIX};
use crate::vara::calls::{self, Layout};
use crate::vara::chain::{ChainClient, ChainState, SignerMetadata, Snapshot, SnapshotQuery};
use crate::vara::era::Era;
use crate::vara::extrinsic::UnsignedPayload;
use crate::vara::metadata_hash;
use crate::vara::network::Endpoint;
use crate::vara::nonces::{Outcome, Ticket};
use crate::vara::rpc::Transport;
use crate::vara::vft;
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
}

/// A payment ready to be signed: everything but the nonce.
struct Prepared {
    unsigned: UnsignedPayload,
    chain: Rc<ChainState>,
    /// For signers that decode it, and the digest mode 1 signs.
    metadata: Option<Rc<SignerMetadata>>,
    valid_until: u64,
}

/// A signed payment whose turn has come: its nonce is held until [`Held::settle`] says what
/// became of it (dropped unsettled, the nonce goes back).
pub struct Held {
    pub signed: Signed,
    ticket: Ticket,
    valid_until: u64,
}

impl Held {
    /// Records what became of the payment.
    fn settle<T: Transport, S: Signer, A: Abort>(self, payer: &Payer<'_, T, S, A>, delivery: Delivery) {
        let outcome = match delivery {
            Delivery::Taken => Outcome::Sent { valid_until: self.valid_until },
            Delivery::Refused => {
                payer.chain.distrust(payer.endpoint);
                Outcome::NotTaken
            }
            Delivery::NotSent => Outcome::Abandoned,
        };
        self.ticket.resolve(outcome);
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
        let prepared = abortable(abort, prepare(payer, requirement)).await?;
        let lane = payer.chain.lane(payer.endpoint, &prepared.unsigned.address);
        abortable(abort, consent.approve(&preview(requirement, &prepared.unsigned, lane.peek_next()))).await?;
        abort.check()?;
        let mut ticket = lane.reserve();
        let mut signed = abortable(abort, sign(payer, &prepared, requirement, ticket.nonce)).await?;
        let nonce = abortable(abort, async { Ok(ticket.turn().await) }).await?;
        if nonce != ticket.nonce {
            abort.check()?;
            signed = abortable(abort, sign(payer, &prepared, requirement, nonce)).await?;
        }
        Ok(Held { signed, ticket, valid_until: prepared.valid_until })
    })
}

/// Builds, asks consent, signs, waits for its turn, hands the payment to `send`, and records
/// what became of it.
pub async fn pay<T: Transport, S: Signer, A: Abort, C: Consent, R>(
    payer: &Payer<'_, T, S, A>,
    requirement: &Requirement,
    consent: &C,
    send: impl AsyncFnOnce(&Signed) -> (Result<R>, Delivery),
) -> Result<R> {
    let held = hold(payer, requirement, consent).await?;
    // `send` stops on an abort itself: it alone knows whether the payment left.
    let (result, delivery) = send(&held.signed).await;
    held.settle(payer, delivery);
    result
}

/// A payment handed out at once (the caller sends it): the next one gets the next nonce.
pub async fn build_payment<T: Transport, S: Signer, A: Abort, C: Consent>(
    payer: &Payer<'_, T, S, A>,
    requirement: &Requirement,
    consent: &C,
) -> Result<Signed> {
    pay(payer, requirement, consent, async |signed: &Signed| (Ok(signed.clone()), Delivery::Taken)).await
}

async fn prepare<T: Transport, S: Signer, A: Abort>(
    p: &Payer<'_, T, S, A>,
    requirement: &Requirement,
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
    let snap = p.chain.snapshot(p.transport, p.endpoint, &query).await?;
    let facts = &snap.chain.facts;
    check_balance(&snap, requirement)?;

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
            let gas = gas_limit(p, &snap.chain, requirement, &program, &payer).await?;
            calls::vft_transfer(facts, &program.0, &requirement.pay_to.0, requirement.amount, gas, p.options.layout)?
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
    check_fee(p, &snap, requirement, &unsigned).await?;
    let valid_until = era.birth(snap.checkpoint.number as u64) + period - 1;
    Ok(Prepared { unsigned, chain: snap.chain, metadata, valid_until })
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
/// beside the amount and the existential deposit, or the chain would take the fee and fail
/// the transfer. When the node cannot say, the chain decides.
async fn check_fee<T: Transport, S: Signer, A: Abort>(
    p: &Payer<'_, T, S, A>,
    snap: &Snapshot,
    requirement: &Requirement,
    unsigned: &UnsignedPayload,
) -> Result<()> {
    let (Some(free), Asset::Native) = (snap.payer_free, &requirement.asset) else { return Ok(()) };
    let facts = &snap.chain.facts;
    let needed = requirement.native_amount().saturating_add(facts.existential_deposit);
    if free >= needed.saturating_add(FEE_HEADROOM) {
        return Ok(());
    }
    let mut dummy = [0u8; 65];
    dummy[0] = 1; // sr25519: the fee depends on the length, not on the signature
    let fee = match p.chain.estimate_fee(p.transport, p.endpoint, &unsigned.signed_extrinsic(facts, &dummy)).await {
        Ok(fee) => fee,
        Err(e) if e.code == ErrorCode::Aborted => return Err(e),
        Err(_) => return Ok(()),
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
    Ok(())
}

/// When the node was read for this payment: the payer must keep the existential deposit
/// after paying (transfers keep the account alive), and the fee comes on top.
fn check_balance(snap: &Snapshot, requirement: &Requirement) -> Result<()> {
    let Some(free) = snap.payer_free else { return Ok(()) };
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
        return err(
            ErrorCode::InsufficientBalance,
            format!(
                "the payer has {} free, below {what} ({}), before the fee: fund the account",
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
    let summary = self_check(&exact, &prepared.chain, requirement, p.options.layout)?;
    Ok(Signed { exact, summary })
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

async fn gas_limit<T: Transport, S: Signer, A: Abort>(
    p: &Payer<'_, T, S, A>,
    state: &ChainState,
    requirement: &Requirement,
    program: &AccountId,
    payer: &AccountId,
) -> Result<u64> {
    let block_limit = state.facts.block_gas_limit;
    match p.options.gas_limit {
        GasLimit::Fixed(n) => Ok(n),
        GasLimit::Max => block_limit
            .ok_or_else(|| Error::new(ErrorCode::UnsupportedRuntime, "the runtime has no GearGas.BlockGasLimit")),
        GasLimit::Calculate { margin_percent } => {
            let payload = vft::transfer_payload(&requirement.pay_to.0, requirement.amount);
            let min = p.chain.calculate_handle_gas(p.transport, p.endpoint, payer, program, &payload).await?;
            Ok(with_margin(min, margin_percent, block_limit))
        }
    }
}

/// `min` plus `margin_percent`, never above the block's gas limit, without overflow.
fn with_margin(min: u64, margin_percent: u32, block_limit: Option<u64>) -> u64 {
    let grown = (min as u128) * (100 + margin_percent as u128) / 100;
    let grown = u64::try_from(grown).unwrap_or(u64::MAX);
    block_limit.map_or(grown, |b| grown.min(b))
}

/// What a consent prompt shows: who pays whom how much, on which network, until when.
fn preview(requirement: &Requirement, unsigned: &UnsignedPayload, nonce: u32) -> Value {
    let prefix = requirement.network.ss58_prefix();
    let birth = unsigned.era.birth(unsigned.block_number as u64);
    Value::object([
        ("network", (&requirement.network_wire).into()),
        ("payer", unsigned.address.to_ss58(prefix).into()),
        ("payTo", requirement.pay_to.to_ss58(prefix).into()),
        ("amount", requirement.amount.to_string().into()),
        ("asset", requirement.asset_wire.clone().into()),
        ("resource", (&requirement.resource).into()),
        ("description", (&requirement.description).into()),
        ("nonce", nonce.into()),
        ("eraPeriod", unsigned.era.period().into()),
        ("validFrom", birth.into()),
        ("validUntil", unsigned.era.period().map(|p| birth + p - 1).into()),
        ("extra", requirement.extra.clone().into()),
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
