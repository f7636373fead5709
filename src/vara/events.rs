//! What became of one extrinsic in a block: `System.ExtrinsicSuccess` or `ExtrinsicFailed`,
//! read from the block's `System.Events` by walking every event's type in the runtime's
//! registry (events are not length-prefixed, so each must be decoded to reach the next).
//!
//! Trust boundary: the events come from a node held to the expected genesis; the walk is
//! bounded by the input (every step that reads nothing is counted) and by depth.

use crate::error::{Error, ErrorCode, Result};
use crate::vara::hashing::twox_128;
use crate::vara::metadata::RuntimeFacts;
use crate::vara::types::{Primitive, TypeDef, Types, Variant};

/// How the runtime dispatched an extrinsic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// `ExtrinsicSuccess`: the call ran (for a transfer, the money moved).
    Success,
    /// `ExtrinsicFailed`: the fee was taken, the call did not run.
    Failed,
}

/// The storage key of `System.Events`.
pub fn events_key() -> Vec<u8> {
    let mut key = twox_128(b"System").to_vec();
    key.extend_from_slice(&twox_128(b"Events"));
    key
}

/// Deeper than this is no real event type.
const MAX_DEPTH: u32 = 48;

fn bad(why: &str) -> Error {
    Error::new(ErrorCode::RpcError, format!("the block's events do not decode: {why}"))
}

struct Walk<'a> {
    types: &'a Types,
    input: &'a [u8],
    /// Steps that may consume no input (empty composites, zero-length arrays) are bounded
    /// by this, so a registry that nests empty types cannot spin.
    free_steps: u32,
}

impl<'a> Walk<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.input.len() < n {
            return Err(bad("they end early"));
        }
        let (head, rest) = self.input.split_at(n);
        self.input = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("four bytes")))
    }

    /// A compact integer of any width, returned when it fits a `u64`.
    fn compact(&mut self) -> Result<u64> {
        let first = self.u8()?;
        Ok(match first & 3 {
            0 => (first >> 2) as u64,
            1 => ((first as u64) | (self.u8()? as u64) << 8) >> 2,
            2 => {
                let rest = self.take(3)?;
                (first as u64 | (rest[0] as u64) << 8 | (rest[1] as u64) << 16 | (rest[2] as u64) << 24) >> 2
            }
            _ => {
                let n = (first >> 2) as usize + 4;
                let bytes = self.take(n)?;
                if n > 8 {
                    // Wider than u64: only skipped, never used as a length.
                    return Ok(u64::MAX);
                }
                let mut v = [0u8; 8];
                v[..n].copy_from_slice(bytes);
                u64::from_le_bytes(v)
            }
        })
    }

    /// A length prefix no larger than the bytes left (so an item must use at least one byte,
    /// or be counted as a free step).
    fn len(&mut self) -> Result<u64> {
        let n = self.compact()?;
        if n > self.input.len() as u64 && n > self.free_steps as u64 {
            return Err(bad("a length beyond the data"));
        }
        Ok(n)
    }

    fn def(&self, ty: u32) -> Result<&'a TypeDef> {
        self.types.resolve(ty).ok_or_else(|| bad("a type the registry lacks"))
    }

    fn variant(&mut self, variants: &'a [Variant]) -> Result<&'a Variant> {
        let index = self.u8()?;
        variants.iter().find(|v| v.index == index).ok_or_else(|| bad("an unknown variant"))
    }

    fn skip(&mut self, ty: u32, depth: u32) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(bad("types nest too deeply"));
        }
        let before = self.input.len();
        match self.def(ty)? {
            TypeDef::Composite(fields) | TypeDef::Tuple(fields) => {
                for f in fields {
                    self.skip(*f, depth + 1)?;
                }
            }
            TypeDef::Variant(variants) => {
                let v = self.variant(variants)?;
                for (_, f) in &v.fields {
                    self.skip(*f, depth + 1)?;
                }
            }
            TypeDef::Sequence(item) => {
                let n = self.len()?;
                self.repeat(n, *item, depth)?;
            }
            TypeDef::Array { len, ty } => self.repeat(*len as u64, *ty, depth)?,
            TypeDef::Primitive(p) => {
                let size = match p {
                    Primitive::Bool | Primitive::U8 => 1,
                    Primitive::U16 => 2,
                    Primitive::U32 => 4,
                    Primitive::U64 => 8,
                    Primitive::U128 => 16,
                    Primitive::Other { size: Some(n) } => *n as usize,
                    Primitive::Other { size: None } => self.len()? as usize,
                };
                self.take(size)?;
            }
            TypeDef::Compact(_) => {
                self.compact()?;
            }
            TypeDef::BitSequence { store } => {
                let bits = self.compact()?;
                let word = match self.def(*store)? {
                    TypeDef::Primitive(Primitive::U8) => 1,
                    TypeDef::Primitive(Primitive::U16) => 2,
                    TypeDef::Primitive(Primitive::U32) => 4,
                    TypeDef::Primitive(Primitive::U64) => 8,
                    _ => return Err(bad("a bit sequence stored in an unknown type")),
                };
                let words = bits.div_ceil(word * 8);
                self.take(usize::try_from(words.saturating_mul(word)).map_err(|_| bad("a bit sequence too long"))?)?;
            }
        }
        if self.input.len() == before {
            self.free_steps = self.free_steps.checked_sub(1).ok_or_else(|| bad("too many empty values"))?;
        }
        Ok(())
    }

    fn repeat(&mut self, n: u64, item: u32, depth: u32) -> Result<()> {
        if matches!(self.def(item)?, TypeDef::Primitive(Primitive::U8)) {
            self.take(usize::try_from(n).map_err(|_| bad("a byte string too long"))?)?;
            return Ok(());
        }
        for _ in 0..n {
            self.skip(item, depth + 1)?;
        }
        Ok(())
    }
}

/// The dispatch outcome of the extrinsic at `index` in the block whose `System.Events` are
/// `events`, or `None` when no such event is there (the extrinsic is not in this block).
pub fn dispatch_of(facts: &RuntimeFacts, events: &[u8], index: u32) -> Result<Option<Dispatch>> {
    let ty = facts.events_ty.ok_or_else(|| bad("the runtime's metadata has no System.Events"))?;
    let types = &facts.registry;
    let mut w = Walk { types, input: events, free_steps: 10_000 };
    let TypeDef::Sequence(record) = w.def(ty)? else { return Err(bad("System.Events is not a list")) };
    let TypeDef::Composite(parts) = w.def(*record)? else { return Err(bad("an event record is not a struct")) };
    let [phase_ty, event_ty, topics_ty] = parts[..] else {
        return Err(bad("an event record is not (phase, event, topics)"));
    };
    let TypeDef::Variant(phases) = w.def(phase_ty)? else { return Err(bad("the phase is not an enum")) };
    let TypeDef::Variant(pallets) = w.def(event_ty)? else { return Err(bad("the runtime event is not an enum")) };
    let count = w.len()?;
    let mut found = None;
    for _ in 0..count {
        let phase = w.variant(phases)?;
        let applies_to = if phase.name == "ApplyExtrinsic" && phase.fields.len() == 1 {
            Some(w.u32()?)
        } else {
            for (_, f) in &phase.fields {
                w.skip(*f, 1)?;
            }
            None
        };
        let pallet = w.variant(pallets)?;
        let mut name = None;
        match &pallet.fields[..] {
            [(_, inner)] => match w.def(*inner)? {
                TypeDef::Variant(events) => {
                    let event = w.variant(events)?;
                    name = Some(event.name.as_str());
                    for (_, f) in &event.fields {
                        w.skip(*f, 2)?;
                    }
                }
                _ => w.skip(*inner, 1)?,
            },
            fields => {
                for (_, f) in fields {
                    w.skip(*f, 1)?;
                }
            }
        }
        w.skip(topics_ty, 1)?;
        if applies_to == Some(index) && pallet.name == "System" {
            match name {
                Some("ExtrinsicSuccess") => found = Some(Dispatch::Success),
                Some("ExtrinsicFailed") => found = Some(Dispatch::Failed),
                _ => {}
            }
        }
    }
    if !w.input.is_empty() {
        return Err(bad("bytes are left after the last event"));
    }
    Ok(found)
}
