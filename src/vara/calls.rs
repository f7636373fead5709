//! The two calls a payment can be: `Balances.transfer_keep_alive` for VARA and
//! `Gear.send_message` carrying a Sails `Vft/Transfer` for a token. Built and read back
//! through the metadata's argument list, and held to the layout every Vara runtime so far has
//! given them (pallet and call indices, argument encoding).
//!
//! Trust boundary: the metadata comes from the node. A lying node could swap call indices so
//! that the bytes we sign mean another call to the real runtime (`transfer_all` in place of
//! `transfer_keep_alive`): with [`Layout::Pinned`] such metadata is refused before signing.

use crate::amount::U256;
use crate::error::{err, Error, ErrorCode, Result};
use crate::vara::args::{self, Arg, ArgKind};
use crate::vara::metadata::{CallInfo, RuntimeFacts};
use crate::vara::vft;

/// A payment call, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentCall {
    Native {
        to: [u8; 32],
        amount: u128,
    },
    Vft {
        program: [u8; 32],
        to: [u8; 32],
        amount: U256,
        gas_limit: u64,
        value: u128,
        /// `keep_alive` in current runtimes, `prepaid` in older ones.
        flag: bool,
        /// How the Sails call addresses `Vft/Transfer`.
        dialect: vft::Dialect,
    },
}

/// Whose word the call layout is taken on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The node's metadata must agree with the layout of Vara's runtimes (from spec 1000, the
    /// testnet genesis, to the current one): `Balances` 5 / `transfer_keep_alive` 3 with
    /// `MultiAddress::Id` 0 and a compact amount; `Gear` 104 / `send_message` 3.
    Pinned,
    /// The node's metadata alone: for a runtime that moved the calls, trusting the node.
    NodeMetadata,
}

/// Vara's payment calls as every known runtime encodes them, without any metadata.
mod pinned {
    use parity_scale_codec::{Compact, Encode};

    pub const TRANSFER_KEEP_ALIVE: [u8; 2] = [5, 3];
    pub const SEND_MESSAGE: [u8; 2] = [104, 3];
    const MULTI_ADDRESS_ID: u8 = 0;

    pub fn native(to: &[u8; 32], amount: u128) -> Vec<u8> {
        let mut out = TRANSFER_KEEP_ALIVE.to_vec();
        out.push(MULTI_ADDRESS_ID);
        out.extend_from_slice(to);
        Compact(amount).encode_to(&mut out);
        out
    }

    pub fn send_message(program: &[u8; 32], payload: &[u8], gas_limit: u64, value: u128, flag: bool) -> Vec<u8> {
        let mut out = SEND_MESSAGE.to_vec();
        out.extend_from_slice(program);
        payload.encode_to(&mut out);
        gas_limit.encode_to(&mut out);
        value.encode_to(&mut out);
        flag.encode_to(&mut out);
        out
    }
}

/// The call from metadata, unless it contradicts the pinned layout.
fn held_to(layout: Layout, from_metadata: Vec<u8>, known: Vec<u8>, what: &str) -> Result<Vec<u8>> {
    if layout == Layout::Pinned && from_metadata != known {
        return err(
            ErrorCode::UnsupportedRuntime,
            format!(
                "the node's metadata encodes {what} as {} where Vara's runtimes encode it as {}: the node may be lying about the runtime, so nothing was signed (set options.trustNodeMetadata if this runtime really moved the call)",
                crate::hexutil::encode(&from_metadata[..from_metadata.len().min(3)]),
                crate::hexutil::encode(&known[..known.len().min(3)])
            ),
        );
    }
    Ok(from_metadata)
}

fn arg_kind(call: &CallInfo, name: &str) -> Result<ArgKind> {
    let kind = match (call.name.as_str(), name) {
        ("transfer_keep_alive", "dest") => ArgKind::Account,
        ("transfer_keep_alive", "value") => ArgKind::Uint,
        ("send_message", "destination") => ArgKind::Account,
        ("send_message", "payload") => ArgKind::Bytes,
        ("send_message", "gas_limit" | "value") => ArgKind::Uint,
        // `keep_alive` in current runtimes; `prepaid` (pay with a voucher) in older ones.
        ("send_message", "keep_alive" | "prepaid") => ArgKind::Bool,
        _ => {
            return err(
                ErrorCode::UnsupportedRuntime,
                format!("{}.{} has an unknown argument `{name}`", call.pallet, call.name),
            )
        }
    };
    Ok(kind)
}

fn encode_call(facts: &RuntimeFacts, call: &CallInfo, value_of: impl Fn(&str) -> Arg) -> Result<Vec<u8>> {
    let mut out = vec![call.pallet_index, call.call_index];
    for (name, ty) in &call.args {
        arg_kind(call, name)?;
        args::encode(&facts.registry, *ty, &value_of(name), &mut out)?;
    }
    Ok(out)
}

pub fn native_transfer(facts: &RuntimeFacts, to: &[u8; 32], amount: u128, layout: Layout) -> Result<Vec<u8>> {
    let call = encode_call(facts, &facts.transfer_keep_alive, |name| match name {
        "dest" => Arg::Account(*to),
        _ => Arg::Uint(amount),
    })?;
    held_to(layout, call, pinned::native(to, amount), "Balances.transfer_keep_alive")
}

/// `Gear.send_message(program, Vft/Transfer(to, amount), gas_limit, value 0, keep_alive true)`,
/// the Sails call in the program's `dialect`.
pub fn vft_transfer(
    facts: &RuntimeFacts,
    program: &[u8; 32],
    to: &[u8; 32],
    amount: U256,
    dialect: vft::Dialect,
    gas_limit: u64,
    layout: Layout,
) -> Result<Vec<u8>> {
    let call = facts.send_message.as_ref().ok_or_else(|| {
        Error::new(ErrorCode::UnsupportedRuntime, "the runtime has no Gear.send_message: token payments are impossible")
    })?;
    let payload = vft::transfer_payload(dialect, to, amount);
    // keep_alive: never reap the payer's account; prepaid (older runtimes): not from a voucher.
    let flag = !call.args.iter().any(|(name, _)| name == "prepaid");
    let encoded = encode_call(facts, call, |name| match name {
        "destination" => Arg::Account(*program),
        "payload" => Arg::Bytes(payload.clone()),
        "gas_limit" => Arg::Uint(gas_limit as u128),
        "value" => Arg::Uint(0),
        _ => Arg::Bool(flag),
    })?;
    held_to(layout, encoded, pinned::send_message(program, &payload, gas_limit, 0, flag), "Gear.send_message")
}

/// Decodes a call made by this client (or the reference): only the two payment calls, held
/// to `layout` like the calls this client builds.
pub fn decode(facts: &RuntimeFacts, method: &[u8], layout: Layout) -> Result<PaymentCall> {
    let call = decode_by_metadata(facts, method)?;
    let known = match &call {
        PaymentCall::Native { to, amount } => pinned::native(to, *amount),
        PaymentCall::Vft { program, to, amount, gas_limit, value, flag, dialect } => {
            pinned::send_message(program, &vft::transfer_payload(*dialect, to, *amount), *gas_limit, *value, *flag)
        }
    };
    held_to(layout, method.to_vec(), known, "the signed call")?;
    Ok(call)
}

fn decode_by_metadata(facts: &RuntimeFacts, method: &[u8]) -> Result<PaymentCall> {
    let (index, rest) =
        method.split_at_checked(2).ok_or_else(|| Error::new(ErrorCode::MalformedHeader, "call too short"))?;
    let call = [Some(&facts.transfer_keep_alive), facts.send_message.as_ref()]
        .into_iter()
        .flatten()
        .find(|c| [c.pallet_index, c.call_index] == index)
        .ok_or_else(|| Error::new(ErrorCode::MalformedHeader, format!("call {index:02x?} is not a payment call")))?;
    let input = &mut &rest[..];
    let mut values = Vec::new();
    for (name, ty) in &call.args {
        values.push((name.as_str(), args::decode(&facts.registry, *ty, arg_kind(call, name)?, input)?));
    }
    if !input.is_empty() {
        return err(ErrorCode::MalformedHeader, "call has trailing bytes");
    }
    let get = |n: &str| values.iter().find(|(name, _)| *name == n).map(|(_, v)| v.clone());
    let account = |n: &str| match get(n) {
        Some(Arg::Account(a)) => Ok(a),
        _ => err(ErrorCode::MalformedHeader, format!("missing {n}")),
    };
    let uint = |n: &str| match get(n) {
        Some(Arg::Uint(v)) => Ok(v),
        _ => err(ErrorCode::MalformedHeader, format!("missing {n}")),
    };
    if call.name == "transfer_keep_alive" {
        return Ok(PaymentCall::Native { to: account("dest")?, amount: uint("value")? });
    }
    let Some(Arg::Bytes(payload)) = get("payload") else { return err(ErrorCode::MalformedHeader, "missing payload") };
    let (dialect, to, amount) = vft::decode_transfer(&payload)?;
    let flag = matches!(get("keep_alive").or_else(|| get("prepaid")), Some(Arg::Bool(true)));
    Ok(PaymentCall::Vft {
        program: account("destination")?,
        to,
        amount,
        gas_limit: u64::try_from(uint("gas_limit")?)
            .map_err(|_| Error::new(ErrorCode::MalformedHeader, "gas_limit is beyond u64"))?,
        value: uint("value")?,
        flag,
        dialect,
    })
}
