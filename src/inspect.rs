//! Offline decode and verification of a payment (the scheme payload of an `X-PAYMENT` or
//! `PAYMENT-SIGNATURE` header): what it pays, to whom, from whom, for how long it is valid,
//! and whether the signature holds. The builder runs this on every payment it emits; servers
//! can run it before settling (the reference does not check the call against the requirements).

use crate::amount::U256;
use crate::error::{err, Error, ErrorCode, Result};
use crate::hexutil;
use crate::requirements::{Asset, Requirement};
use crate::scheme::ExactVaraPayload;
use crate::signer::verify_multisignature;
use crate::vara::address::AccountId;
use crate::vara::calls::{self, Layout, PaymentCall};
use crate::vara::chain::ChainState;
use crate::vara::era::Era;
use crate::vara::extrinsic::UnsignedPayload;
use crate::vara::network::Network;
use crate::vara::vft::TokenInfo;

/// A payment as the chain would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentSummary {
    pub network: Network,
    pub payer: AccountId,
    pub pay_to: AccountId,
    pub amount: U256,
    pub asset: Asset,
    pub nonce: u32,
    pub era: Era,
    /// First and last block (inclusive) in which the transaction can be included.
    pub valid_from: u64,
    pub valid_until: Option<u64>,
    pub block_hash: [u8; 32],
    pub spec_version: u32,
    pub tip: u128,
    pub gas_limit: Option<u64>,
    pub unsigned: UnsignedPayload,
    pub signature: Vec<u8>,
    /// A token's decimals, symbol and name, when the payment's builder asked its program.
    pub token: Option<TokenInfo>,
}

/// Decodes a payment's transaction against a chain's facts and verifies its signature.
/// `declared_asset` is what the header says it pays with; it must agree with the signed call.
pub fn inspect(
    payload: &ExactVaraPayload,
    network: Network,
    declared_asset: Option<&str>,
    chain: &ChainState,
    layout: Layout,
) -> Result<PaymentSummary> {
    let unsigned = UnsignedPayload::from_json(&payload.transaction)?;
    if unsigned.genesis_hash != chain.genesis_hash {
        return err(ErrorCode::WrongChain, "the payment is for another chain (genesis hash differs)");
    }
    if (unsigned.spec_version, unsigned.transaction_version) != (chain.spec_version, chain.transaction_version) {
        return err(
            ErrorCode::MalformedHeader,
            format!(
                "the payment targets runtime {}/{}, the chain runs {}/{}",
                unsigned.spec_version, unsigned.transaction_version, chain.spec_version, chain.transaction_version
            ),
        );
    }
    let signature = hexutil::decode(&payload.signature)?;
    let signing_bytes = unsigned.signing_bytes(&chain.facts)?;
    verify_multisignature(&unsigned.address, &signing_bytes, &signature)?;

    let (pay_to, amount, asset, gas_limit) = match calls::decode(&chain.facts, &unsigned.method, layout)? {
        PaymentCall::Native { to, amount } => (to, U256::from(amount), Asset::Native, None),
        PaymentCall::Vft { program, to, amount, gas_limit, value, .. } => {
            if value != 0 {
                return err(ErrorCode::MalformedHeader, "a token payment must not also send VARA with the message");
            }
            (to, amount, Asset::Vft(AccountId(program)), Some(gas_limit))
        }
    };
    let header_asset = Asset::parse(declared_asset).map_err(|e| Error::new(ErrorCode::MalformedHeader, e.message))?;
    if header_asset != asset {
        return err(ErrorCode::MalformedHeader, "the header's `asset` does not match the signed call");
    }
    let valid_from = unsigned.era.birth(unsigned.block_number as u64);
    let valid_until = unsigned.era.period().map(|p| valid_from + p - 1);
    Ok(PaymentSummary {
        network,
        payer: unsigned.address,
        pay_to: AccountId(pay_to),
        amount,
        asset,
        nonce: unsigned.nonce,
        era: unsigned.era,
        valid_from,
        valid_until,
        block_hash: unsigned.block_hash,
        spec_version: unsigned.spec_version,
        tip: unsigned.tip,
        gas_limit,
        unsigned,
        signature,
        token: None,
    })
}

/// Checks that a decoded payment pays exactly what `requirement` asks.
pub fn matches_requirement(summary: &PaymentSummary, requirement: &Requirement) -> Result<()> {
    let mismatch = |what: &str| {
        Error::new(ErrorCode::PaymentMismatch, format!("the payment's {what} differs from the requirements"))
    };
    if summary.network != requirement.network {
        return Err(mismatch("network"));
    }
    if summary.asset != requirement.asset {
        return Err(mismatch("asset"));
    }
    if summary.pay_to != requirement.pay_to {
        return Err(mismatch("recipient"));
    }
    if summary.amount != requirement.amount {
        return Err(mismatch("amount"));
    }
    Ok(())
}

impl PaymentSummary {
    /// The JSON shape shown to callers (hooks, receipts, JS): strings for big numbers.
    pub fn to_json(&self) -> crate::json::Value {
        let prefix = self.network.ss58_prefix();
        crate::json::Value::object([
            ("network", self.network.name().into()),
            ("networkId", self.network.caip2().into()),
            ("payer", self.payer.to_ss58(prefix).into()),
            ("payTo", self.pay_to.to_ss58(prefix).into()),
            ("amount", self.amount.to_string().into()),
            ("asset", self.asset.program_hex().into()),
            ("nonce", self.nonce.into()),
            ("eraPeriod", self.era.period().into()),
            ("validFrom", self.valid_from.into()),
            ("validUntil", self.valid_until.into()),
            ("blockHash", hexutil::encode(&self.block_hash).into()),
            ("specVersion", self.spec_version.into()),
            ("tip", self.tip.to_string().into()),
            ("gasLimit", self.gas_limit.into()),
            ("token", self.token.as_ref().map(|t| t.to_json(self.amount)).into()),
        ])
    }
}
