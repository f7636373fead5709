//! The two calls a payment can be: `Balances.transfer_keep_alive` for VARA and
//! `Gear.send_message` carrying a Sails `Vft/Transfer` for a token. Built and read back
//! through the metadata's argument list.

use crate::amount::U256;
use crate::error::{err, Error, ErrorCode, Result};
use crate::vara::args::{self, Arg, ArgKind};
use crate::vara::metadata::{CallInfo, RuntimeFacts};
use crate::vara::vft;

/// A payment call, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentCall {
    Native { to: [u8; 32], amount: u128 },
    Vft { program: [u8; 32], to: [u8; 32], amount: U256, gas_limit: u64, value: u128, keep_alive: Option<bool> },
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

pub fn native_transfer(facts: &RuntimeFacts, to: &[u8; 32], amount: u128) -> Result<Vec<u8>> {
    encode_call(facts, &facts.transfer_keep_alive, |name| match name {
        "dest" => Arg::Account(*to),
        _ => Arg::Uint(amount),
    })
}

/// `Gear.send_message(program, Vft/Transfer(to, amount), gas_limit, value 0, keep_alive true)`.
pub fn vft_transfer(
    facts: &RuntimeFacts,
    program: &[u8; 32],
    to: &[u8; 32],
    amount: U256,
    gas_limit: u64,
) -> Result<Vec<u8>> {
    let call = facts.send_message.as_ref().ok_or_else(|| {
        Error::new(ErrorCode::UnsupportedRuntime, "the runtime has no Gear.send_message: token payments are impossible")
    })?;
    let payload = vft::transfer_payload(to, amount);
    encode_call(facts, call, |name| match name {
        "destination" => Arg::Account(*program),
        "payload" => Arg::Bytes(payload.clone()),
        "gas_limit" => Arg::Uint(gas_limit as u128),
        "value" => Arg::Uint(0),
        "prepaid" => Arg::Bool(false),
        _ => Arg::Bool(true), // keep_alive: never reap the payer's account
    })
}

/// Decodes a call made by this client (or the reference): only the two payment calls.
pub fn decode(facts: &RuntimeFacts, method: &[u8]) -> Result<PaymentCall> {
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
    let (to, amount) = vft::decode_transfer(&payload)?;
    let keep_alive = match get("keep_alive") {
        Some(Arg::Bool(b)) => Some(b),
        _ => None,
    };
    Ok(PaymentCall::Vft {
        program: account("destination")?,
        to,
        amount,
        gas_limit: uint("gas_limit")? as u64,
        value: uint("value")?,
        keep_alive,
    })
}
