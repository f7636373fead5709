//! Encodes and decodes call arguments by following their types in the runtime's registry,
//! so a newtype wrapper, a `Compact`, or a moved `MultiAddress` variant is handled by the
//! metadata rather than by assumptions.
//!
//! Trust boundary: the registry comes from the node. Every walk is bounded (depth and steps),
//! so a type that wraps itself ends in `UNSUPPORTED_RUNTIME` instead of spinning forever.

use crate::error::{Error, ErrorCode, Result};
use crate::vara::types::{Primitive, TypeDef, Types};
use parity_scale_codec::{Compact, Decode, Encode};

/// The values a payment call is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A 32-byte account or program id (also the `Id` variant of a `MultiAddress`).
    Account([u8; 32]),
    Bytes(Vec<u8>),
    Uint(u128),
    Bool(bool),
}

/// The kind of [`Arg`] a decoder should expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Account,
    Bytes,
    Uint,
    Bool,
}

/// Walks deeper than this are not a real runtime's argument types.
pub const MAX_TYPE_DEPTH: u32 = 32;
/// Types one walk may visit (the widest real extension type has a handful).
pub const MAX_TYPE_STEPS: u32 = 256;

/// What one walk over metadata types may still spend, shared by all its branches.
#[derive(Debug)]
pub struct Budget {
    steps: u32,
}

impl Budget {
    pub fn new() -> Self {
        Budget { steps: MAX_TYPE_STEPS }
    }

    /// Visits `ty` at `depth`: fails past either bound (a type that contains itself).
    pub fn visit(&mut self, ty: u32, depth: u32) -> Result<()> {
        if depth > MAX_TYPE_DEPTH || self.steps == 0 {
            return Err(Error::new(
                ErrorCode::UnsupportedRuntime,
                format!("type {ty} in metadata nests too deeply (a type that contains itself?)"),
            ));
        }
        self.steps -= 1;
        Ok(())
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self::new()
    }
}

fn mismatch(ty: u32, what: &str) -> Error {
    Error::new(ErrorCode::UnsupportedRuntime, format!("type {ty} in metadata does not fit {what}"))
}

fn truncated() -> Error {
    Error::new(ErrorCode::MalformedHeader, "call bytes end early")
}

pub fn encode(registry: &Types, ty: u32, arg: &Arg, out: &mut Vec<u8>) -> Result<()> {
    encode_within(registry, ty, arg, out, &mut Budget::new(), 0)
}

fn encode_within(
    registry: &Types,
    ty: u32,
    arg: &Arg,
    out: &mut Vec<u8>,
    budget: &mut Budget,
    depth: u32,
) -> Result<()> {
    budget.visit(ty, depth)?;
    let t = registry.resolve(ty).ok_or_else(|| mismatch(ty, "any value"))?;
    match (t, arg) {
        // Newtypes (AccountId32, ActorId, …) encode as their single field.
        (TypeDef::Composite(fields), _) if fields.len() == 1 => {
            encode_within(registry, fields[0], arg, out, budget, depth + 1)
        }
        (TypeDef::Array { len: 32, ty: item }, Arg::Account(bytes)) if is_u8(registry, *item) => {
            out.extend_from_slice(bytes);
            Ok(())
        }
        (TypeDef::Sequence(item), Arg::Bytes(bytes)) if is_u8(registry, *item) => {
            bytes.encode_to(out);
            Ok(())
        }
        (TypeDef::Variant(variants), Arg::Account(_)) => {
            let id = variants
                .iter()
                .find(|v| v.name == "Id" && v.fields.len() == 1)
                .ok_or_else(|| mismatch(ty, "an account (no `Id` variant)"))?;
            out.push(id.index);
            encode_within(registry, id.fields[0].1, arg, out, budget, depth + 1)
        }
        (TypeDef::Compact(_), Arg::Uint(n)) => {
            Compact(*n).encode_to(out);
            Ok(())
        }
        (TypeDef::Primitive(p), Arg::Uint(n)) => {
            let n = *n;
            let fits = |max: u128| if n <= max { Ok(()) } else { Err(mismatch(ty, "this number (too large)")) };
            match p {
                Primitive::U8 => fits(u8::MAX as u128).map(|_| out.push(n as u8)),
                Primitive::U32 => fits(u32::MAX as u128).map(|_| (n as u32).encode_to(out)),
                Primitive::U64 => fits(u64::MAX as u128).map(|_| (n as u64).encode_to(out)),
                Primitive::U128 => {
                    n.encode_to(out);
                    Ok(())
                }
                _ => Err(mismatch(ty, "an unsigned integer")),
            }
        }
        (TypeDef::Primitive(Primitive::Bool), Arg::Bool(b)) => {
            b.encode_to(out);
            Ok(())
        }
        _ => Err(mismatch(ty, &format!("{arg:?}"))),
    }
}

pub fn decode(registry: &Types, ty: u32, kind: ArgKind, input: &mut &[u8]) -> Result<Arg> {
    decode_within(registry, ty, kind, input, &mut Budget::new(), 0)
}

fn decode_within(
    registry: &Types,
    ty: u32,
    kind: ArgKind,
    input: &mut &[u8],
    budget: &mut Budget,
    depth: u32,
) -> Result<Arg> {
    budget.visit(ty, depth)?;
    let t = registry.resolve(ty).ok_or_else(|| mismatch(ty, "any value"))?;
    match (t, kind) {
        (TypeDef::Composite(fields), _) if fields.len() == 1 => {
            decode_within(registry, fields[0], kind, input, budget, depth + 1)
        }
        (TypeDef::Array { len: 32, ty: item }, ArgKind::Account) if is_u8(registry, *item) => {
            <[u8; 32]>::decode(input).map(Arg::Account).map_err(|_| truncated())
        }
        (TypeDef::Sequence(item), ArgKind::Bytes) if is_u8(registry, *item) => {
            Vec::<u8>::decode(input).map(Arg::Bytes).map_err(|_| truncated())
        }
        (TypeDef::Variant(variants), ArgKind::Account) => {
            let index = u8::decode(input).map_err(|_| truncated())?;
            let variant =
                variants.iter().find(|v| v.index == index).ok_or_else(|| mismatch(ty, "the variant index"))?;
            if variant.name != "Id" || variant.fields.len() != 1 {
                return Err(Error::new(
                    ErrorCode::MalformedHeader,
                    format!("address variant {} is not an account id", variant.name),
                ));
            }
            decode_within(registry, variant.fields[0].1, kind, input, budget, depth + 1)
        }
        (TypeDef::Compact(_), ArgKind::Uint) => {
            Compact::<u128>::decode(input).map(|c| Arg::Uint(c.0)).map_err(|_| truncated())
        }
        (TypeDef::Primitive(p), ArgKind::Uint) => {
            let n = match p {
                Primitive::U8 => u8::decode(input).map(u128::from),
                Primitive::U32 => u32::decode(input).map(u128::from),
                Primitive::U64 => u64::decode(input).map(u128::from),
                Primitive::U128 => u128::decode(input),
                _ => return Err(mismatch(ty, "an unsigned integer")),
            };
            n.map(Arg::Uint).map_err(|_| truncated())
        }
        (TypeDef::Primitive(Primitive::Bool), ArgKind::Bool) => {
            bool::decode(input).map(Arg::Bool).map_err(|_| truncated())
        }
        _ => Err(mismatch(ty, &format!("{kind:?}"))),
    }
}

fn is_u8(registry: &Types, ty: u32) -> bool {
    matches!(registry.resolve(ty), Some(TypeDef::Primitive(Primitive::U8)))
}
