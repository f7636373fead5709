//! The runtime's type registry (scale-info's portable form), read into the few shapes a
//! payment's arguments and signed extensions are made of. Paths, type parameters, docs and
//! the names of struct fields are skipped: payments never need them.

use crate::error::Result;
use crate::vara::scale::Reader;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Primitive {
    Bool,
    U8,
    U16,
    U32,
    U64,
    U128,
    /// Any other primitive (char, signed integers, 256-bit): no payment argument is one, but
    /// events carry them, so their encoded size is kept. `None` is `str` (length-prefixed).
    Other {
        size: Option<u8>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub name: String,
    pub index: u8,
    /// (field name, type id); call arguments are named, most other fields are not.
    pub fields: Vec<(Option<String>, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeDef {
    Composite(Vec<u32>),
    Variant(Vec<Variant>),
    Sequence(u32),
    Array {
        len: u32,
        ty: u32,
    },
    Tuple(Vec<u32>),
    Primitive(Primitive),
    Compact(u32),
    /// A `BitVec`, with the type its bits are stored in (u8 … u64).
    BitSequence {
        store: u32,
    },
}

/// Type definitions by id.
#[derive(Debug, Clone, Default)]
pub struct Types {
    by_id: Vec<Option<TypeDef>>,
}

impl Types {
    pub fn resolve(&self, id: u32) -> Option<&TypeDef> {
        self.by_id.get(id as usize)?.as_ref()
    }

    /// Reads a `PortableRegistry`.
    pub fn read(r: &mut Reader<'_>) -> Result<Self> {
        let mut by_id: Vec<Option<TypeDef>> = Vec::new();
        for _ in 0..r.len()? {
            let id = r.compact()? as usize;
            // Path segments, then type parameters (name, optional type), then the definition.
            r.skip_strings()?;
            for _ in 0..r.len()? {
                r.bytes()?;
                r.option(|r| r.compact())?;
            }
            let def = read_def(r)?;
            r.skip_strings()?;
            if id >= by_id.len() {
                // Ids are dense in practice; a sparse one cannot grow the table past the input.
                if id > 1 << 20 {
                    return Err(r.error("a type id beyond any runtime's"));
                }
                by_id.resize(id + 1, None);
            }
            by_id[id] = Some(def);
        }
        Ok(Types { by_id })
    }

    /// Replaces a definition (tests that model a lying node).
    pub fn set(&mut self, id: u32, def: TypeDef) {
        if let Some(slot) = self.by_id.get_mut(id as usize) {
            *slot = Some(def);
        }
    }
}

fn read_fields(r: &mut Reader<'_>) -> Result<Vec<(Option<String>, u32)>> {
    r.vec(|r| {
        let name = r.option(|r| r.string().map(str::to_string))?;
        let ty = r.compact()?;
        r.option(|r| r.bytes())?; // the field's type name
        r.skip_strings()?; // docs
        Ok((name, ty))
    })
}

fn read_def(r: &mut Reader<'_>) -> Result<TypeDef> {
    let def = match r.u8()? {
        0 => TypeDef::Composite(read_fields(r)?.into_iter().map(|(_, ty)| ty).collect()),
        1 => TypeDef::Variant(r.vec(|r| {
            let name = r.string()?.to_string();
            let fields = read_fields(r)?;
            let index = r.u8()?;
            r.skip_strings()?;
            Ok(Variant { name, index, fields })
        })?),
        2 => TypeDef::Sequence(r.compact()?),
        3 => TypeDef::Array { len: r.u32()?, ty: r.compact()? },
        4 => TypeDef::Tuple(r.vec(|r| r.compact())?),
        5 => TypeDef::Primitive(match r.u8()? {
            0 => Primitive::Bool,
            3 => Primitive::U8,
            4 => Primitive::U16,
            5 => Primitive::U32,
            6 => Primitive::U64,
            7 => Primitive::U128,
            2 => Primitive::Other { size: None },
            code @ (1 | 8..=14) => Primitive::Other { size: Some(other_primitive_size(code)) },
            _ => return Err(r.error("an unknown primitive")),
        }),
        6 => TypeDef::Compact(r.compact()?),
        7 => {
            let store = r.compact()?;
            r.compact()?; // bit order: the size does not depend on it
            TypeDef::BitSequence { store }
        }
        _ => return Err(r.error("an unknown kind of type")),
    };
    Ok(def)
}

/// Encoded size of scale-info's fixed-size primitives other than the unsigned ones read above:
/// char, u256, i8 … i256.
fn other_primitive_size(code: u8) -> u8 {
    match code {
        1 => 4,
        8 | 14 => 32,
        9 => 1,
        10 => 2,
        11 => 4,
        12 => 8,
        _ => 16, // 13: i128
    }
}
