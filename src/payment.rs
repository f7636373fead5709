//! From a chosen requirement to a signed, self-checked `X-PAYMENT` header.

use crate::amount::U256;
use crate::error::{err, Error, ErrorCode, Result};
use crate::hexutil;
use crate::proto::v1::{ExactVaraPayload, PaymentPayload, SCHEME_EXACT, X402_VERSION};
use crate::requirements::{Asset, Requirement};
use crate::signer::Signer;
use crate::vara::address::VARA_SS58_PREFIX;
use crate::vara::calls;
use crate::vara::chain::{ChainClient, ChainState};
use crate::vara::check::{self, PaymentSummary};
use crate::vara::era::Era;
use crate::vara::extrinsic::UnsignedPayload;
use crate::vara::network::Endpoint;
use crate::vara::rpc::Transport;
use crate::vara::vft;

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// Mortality in blocks (rounded up to a power of two, 4..=4096).
    pub era_period: u64,
    pub tip: u128,
    pub gas_limit: GasLimit,
    /// Refuse native payments below the existential deposit to accounts that do not exist
    /// (the chain rejects them after the fee is paid).
    pub check_existential_deposit: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            era_period: 64,
            tip: 0,
            gas_limit: GasLimit::Calculate { margin_percent: 20 },
            check_existential_deposit: true,
        }
    }
}

/// Era periods above 4096 blocks are quantized, so their checkpoint is not the latest block.
pub const MAX_ERA_PERIOD: u64 = 4096;

#[derive(Debug, Clone)]
pub struct BuiltPayment {
    pub header: String,
    pub payload: PaymentPayload,
    pub summary: PaymentSummary,
}

/// Asked once per payment, after the payment is built and before it is signed: a wallet's
/// confirm dialog, an audit log. Refusing stops the payment (`SIGNER_REJECTED`).
#[allow(async_fn_in_trait)]
pub trait Consent {
    async fn approve(&self, preview: &serde_json::Value) -> Result<()>;
}

/// Consent that is always given (the caller's limits still apply).
pub struct NoPrompt;

impl Consent for NoPrompt {
    async fn approve(&self, _preview: &serde_json::Value) -> Result<()> {
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn build_payment<T: Transport, S: Signer, C: Consent>(
    chain: &ChainClient,
    transport: &T,
    endpoint: &Endpoint,
    requirement: &Requirement,
    signer: &S,
    consent: &C,
    options: &BuildOptions,
) -> Result<BuiltPayment> {
    if !(1..=MAX_ERA_PERIOD).contains(&options.era_period) {
        return err(ErrorCode::InvalidOptions, format!("eraPeriod must be within 1..={MAX_ERA_PERIOD}"));
    }
    if endpoint.network != requirement.network {
        return err(ErrorCode::InvalidOptions, "the RPC endpoint is for another network than the requirement");
    }
    let payer = signer.account();
    let probe = match requirement.asset {
        Asset::Native if options.check_existential_deposit => Some((&requirement.pay_to, requirement.native_amount())),
        _ => None,
    };
    let snap = chain.snapshot(transport, endpoint, &payer, VARA_SS58_PREFIX, probe).await?;
    let facts = &snap.chain.facts;

    let method = match requirement.asset {
        Asset::Native => {
            let amount = requirement.native_amount();
            let below_deposit = options.check_existential_deposit && amount < facts.existential_deposit;
            let recipient_exists = match (below_deposit, snap.recipient_exists) {
                (false, _) => true,
                (true, Some(known)) => known,
                (true, None) => chain.account_exists(transport, endpoint, &requirement.pay_to).await?,
            };
            if !recipient_exists {
                return err(
                    ErrorCode::BelowExistentialDeposit,
                    format!("{amount} is below the existential deposit ({}) and the recipient account does not exist: the chain would reject it",
                        facts.existential_deposit),
                );
            }
            calls::native_transfer(facts, &requirement.pay_to.0, amount)?
        }
        Asset::Vft(program) => {
            let gas =
                gas_limit(chain, transport, endpoint, &snap.chain, requirement, &program.0, options.gas_limit, &payer)
                    .await?;
            calls::vft_transfer(facts, &program.0, &requirement.pay_to.0, requirement.amount, gas)?
        }
    };

    let mut unsigned = UnsignedPayload {
        address: payer,
        method,
        era: Era::mortal(options.era_period, snap.best.number as u64),
        block_hash: snap.best.hash,
        block_number: snap.best.number,
        genesis_hash: snap.chain.genesis_hash,
        nonce: snap.nonce,
        tip: options.tip,
        spec_version: snap.chain.spec_version,
        transaction_version: snap.chain.transaction_version,
        signed_extensions: facts.extension_names(),
        metadata_hash: None,
        has_mode: facts.has_metadata_hash_extension(),
    };
    consent.approve(&preview(requirement, &unsigned)).await?;
    let json = unsigned.to_json(VARA_SS58_PREFIX);
    let outcome = signer.sign(&json, &unsigned.signing_bytes(facts)?).await?;
    if let Some(hash) = outcome.metadata_hash {
        if !unsigned.has_mode {
            return err(ErrorCode::InvalidSignature, "the signer used a metadata hash the runtime does not check");
        }
        unsigned.metadata_hash = Some(hash);
    }
    // An external signer's answer is checked before it is used.
    check::verify_multisignature(&payer, &unsigned.signing_bytes(facts)?, &outcome.signature)?;

    let payload = PaymentPayload {
        x402_version: X402_VERSION,
        scheme: SCHEME_EXACT.to_string(),
        payload: ExactVaraPayload {
            transaction: unsigned.to_json(VARA_SS58_PREFIX),
            signature: hexutil::encode(&outcome.signature),
        },
        network: requirement.network.name().to_string(),
        asset: requirement.asset.wire(),
    };
    let header = payload.to_header();
    let summary = self_check(&header, &snap.chain, requirement)?;
    Ok(BuiltPayment { header, payload, summary })
}

/// Decodes the header exactly as a server would and checks it pays what was asked.
fn self_check(header: &str, chain: &ChainState, requirement: &Requirement) -> Result<PaymentSummary> {
    let as_bug = |e: Error| {
        Error::new(ErrorCode::SelfCheckFailed, format!("emitted header failed its self-check: {}", e.message))
    };
    let decoded = PaymentPayload::from_header(header).map_err(as_bug)?;
    let summary = check::inspect(&decoded, chain).map_err(as_bug)?;
    check::matches_requirement(&summary, requirement).map_err(as_bug)?;
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
async fn gas_limit<T: Transport>(
    chain: &ChainClient,
    transport: &T,
    endpoint: &Endpoint,
    state: &ChainState,
    requirement: &Requirement,
    program: &[u8; 32],
    choice: GasLimit,
    payer: &crate::vara::address::AccountId,
) -> Result<u64> {
    let block_limit = state.facts.block_gas_limit;
    let max = || {
        block_limit.ok_or_else(|| Error::new(ErrorCode::UnsupportedRuntime, "the runtime has no GearGas.BlockGasLimit"))
    };
    match choice {
        GasLimit::Fixed(n) => Ok(n),
        GasLimit::Max => max(),
        GasLimit::Calculate { margin_percent } => {
            let payload = vft::transfer_payload(&requirement.pay_to.0, requirement.amount);
            let program = crate::vara::address::AccountId(*program);
            let min = chain.calculate_handle_gas(transport, endpoint, payer, &program, &payload).await?;
            let with_margin = U256::from(min) * U256::from(100 + margin_percent) / U256::from(100u8);
            let with_margin = if with_margin > U256::from(u64::MAX) { u64::MAX } else { with_margin.as_u64() };
            Ok(block_limit.map_or(with_margin, |b| with_margin.min(b)))
        }
    }
}

/// What a consent prompt shows: who pays whom how much, on which network, until when.
fn preview(requirement: &Requirement, unsigned: &UnsignedPayload) -> serde_json::Value {
    let prefix = requirement.network.ss58_prefix();
    serde_json::json!({
        "network": requirement.network.name(),
        "payer": unsigned.address.to_ss58(prefix),
        "payTo": requirement.pay_to.to_ss58(prefix),
        "amount": requirement.amount.to_string(),
        "asset": requirement.asset.wire(),
        "resource": requirement.wire.resource,
        "description": requirement.wire.description,
        "nonce": unsigned.nonce,
        "eraPeriod": unsigned.era.period(),
        "validFrom": unsigned.era.birth(unsigned.block_number as u64),
        "extra": requirement.wire.extra,
    })
}
