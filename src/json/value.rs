//! A JSON value owned by the crate, for the parts of the wire kept as they came (an entry
//! echoed as `accepted`, unknown `extra` fields, extensions) and the shapes built for callers
//! (previews, summaries, RPC requests). Objects keep their keys sorted, as serde_json's
//! default map does, so what is echoed and built is the same text as before, on every
//! platform. Numbers follow one rule in both readers ([`Number::from_f64`]), the one a
//! JavaScript number allows, so the wasm (`JSON.parse`) and the native tests read the same.

use core::fmt;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON number: a non-negative integer, a negative one, or a finite float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    PosInt(u64),
    NegInt(i64),
    Float(f64),
}

/// A JSON object: keys unique and sorted (byte order), like serde_json's `Map`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map(Vec<(String, Value)>);

static NULL: Value = Value::Null;

/// The largest integer a JavaScript number holds exactly: 2^53 − 1.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a number read from JSON text is refused (both readers say the same).
pub(crate) const NOT_FINITE: &str = "a number too large for a 64-bit float";
pub(crate) const NOT_EXACT: &str = "a number beyond ±(2^53 − 1), which JavaScript cannot hold exactly";

impl Number {
    /// A number as `JSON.parse` gives it to the wasm, by the rule both readers follow: an
    /// integral value within ±(2^53 − 1) is an integer whatever its spelling (`1.0`, `1e2`;
    /// `-0` is 0); any other finite value within that range is a float. Anything beyond it is
    /// refused, not rounded: JavaScript may have rounded it already (`9007199254740993` reads
    /// as ...992), and cannot tell. A value that overflows a float (`1e400`, Infinity in
    /// JavaScript) is refused, not dropped.
    pub fn from_f64(f: f64) -> Result<Number, &'static str> {
        if !f.is_finite() {
            return Err(NOT_FINITE);
        }
        if f.abs() > MAX_SAFE_INTEGER as f64 {
            return Err(NOT_EXACT);
        }
        Ok(match f {
            _ if f.fract() != 0.0 => Number::Float(f),
            _ if f < 0.0 => Number::NegInt(f as i64),
            _ => Number::PosInt(f as u64),
        })
    }

    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Number::PosInt(n) => Some(n),
            _ => None,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Number::PosInt(n) => write!(f, "{n}"),
            Number::NegInt(n) => write!(f, "{n}"),
            Number::Float(x) => f.write_str(&super::float_text(x)),
        }
    }
}

impl Map {
    pub fn new() -> Self {
        Map(Vec::new())
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.position(key).ok().map(|i| &mut self.0[i].1)
    }

    /// Sets `key`, returning what it held.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.position(&key) {
            Ok(i) => Some(core::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// The value at `key`, set to `default()` first when there is none.
    pub fn get_or_insert_with(&mut self, key: &str, default: impl FnOnce() -> Value) -> &mut Value {
        let i = match self.position(key) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (key.to_string(), default()));
                i
            }
        };
        &mut self.0[i].1
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn entries(&self) -> &[(String, Value)] {
        &self.0
    }

    /// From pairs in any order; of two equal keys the later wins (as `JSON.parse` decides).
    pub fn from_pairs(mut pairs: Vec<(String, Value)>) -> Self {
        pairs.reverse();
        // Stable: of equal keys the later one (now first) stays.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|later, earlier| later.0 == earlier.0);
        Map(pairs)
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = core::iter::Map<core::slice::Iter<'a, (String, Value)>, fn(&'a (String, Value)) -> Self::Item>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl core::ops::Index<&str> for Map {
    type Output = Value;
    /// Null when `key` is missing.
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl Value {
    /// An object from `(key, value)` pairs.
    pub fn object<const N: usize>(pairs: [(&str, Value); N]) -> Value {
        Value::Object(Map::from_pairs(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
    }

    /// A member of an object; `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => m.get_mut(key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// Takes the value, leaving null.
    pub fn take(&mut self) -> Value {
        core::mem::take(self)
    }
}

impl core::ops::Index<&str> for Value {
    type Output = Value;
    /// Null when this is not an object or `key` is missing.
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl core::ops::IndexMut<&str> for Value {
    /// Makes null an object; adds `key` when it is missing. Panics on other values.
    fn index_mut(&mut self, key: &str) -> &mut Value {
        if self.is_null() {
            *self = Value::Object(Map::new());
        }
        match self {
            Value::Object(m) => m.get_or_insert_with(key, || Value::Null),
            _ => panic!("cannot index a non-object JSON value with {key:?}"),
        }
    }
}

/// The value as compact JSON text (for messages: `unsupported x402Version "1"`).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::to_text(self))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.clone())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Number(Number::PosInt(n))
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::from(n as u64)
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Value::from(n as u64)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Object(m)
    }
}

impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Self {
        Value::Array(a)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Null, Into::into)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(Number::PosInt(n)) => s.serialize_u64(*n),
            Value::Number(Number::NegInt(n)) => s.serialize_i64(*n),
            Value::Number(Number::Float(f)) => s.serialize_f64(*f),
            Value::String(v) => s.serialize_str(v),
            Value::Array(a) => s.collect_seq(a),
            Value::Object(m) => m.serialize(s),
        }
    }
}

impl Serialize for Map {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Builds a [`Value`]. `FROM_TEXT`: the value is read from JSON text (the native reader, see
/// [`FromText`]), and numbers follow [`Number::from_f64`] as they do in wasm. Otherwise the
/// value was made in code (`json!`, serializing a struct natively): numbers are kept as given.
struct ValueVisitor<const FROM_TEXT: bool>;

impl<'de, const FROM_TEXT: bool> Visitor<'de> for ValueVisitor<FROM_TEXT> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    // serde_json hands integers over exactly; from text they follow a JS number's rule too.
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        if FROM_TEXT && n.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(E::custom(NOT_EXACT));
        }
        Ok(Value::Number(if n < 0 { Number::NegInt(n) } else { Number::PosInt(n as u64) }))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        if FROM_TEXT && n > MAX_SAFE_INTEGER {
            return Err(E::custom(NOT_EXACT));
        }
        Ok(Value::Number(Number::PosInt(n)))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        match FROM_TEXT {
            true => Number::from_f64(f).map(Value::Number).map_err(E::custom),
            false => Ok(if f.is_finite() { Value::Number(Number::Float(f)) } else { Value::Null }),
        }
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        // Values made in code are read as before; from text, each element by the same rule.
        while let Some(item) = match FROM_TEXT {
            true => seq.next_element::<Read<true>>()?.map(|r| r.0),
            false => seq.next_element::<Value>()?,
        } {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut pairs = Vec::new();
        while let Some(pair) = match FROM_TEXT {
            true => map.next_entry::<String, Read<true>>()?.map(|(k, r)| (k, r.0)),
            false => map.next_entry::<String, Value>()?,
        } {
            pairs.push(pair);
        }
        Ok(Value::Object(Map::from_pairs(pairs)))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor::<false>)
    }
}

/// A value and everything in it, read by one visitor.
struct Read<const FROM_TEXT: bool>(Value);

impl<'de, const FROM_TEXT: bool> Deserialize<'de> for Read<FROM_TEXT> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor::<FROM_TEXT>).map(Read)
    }
}

/// A [`Value`] read from JSON text by the native reader (serde_json), numbers by the rule
/// the wasm's `JSON.parse` imposes ([`Number::from_f64`]): `serde_json::from_str::<FromText>`.
/// Public for the wasm tests, which check the two readers agree.
#[doc(hidden)]
pub struct FromText(pub Value);

impl<'de> Deserialize<'de> for FromText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor::<true>).map(FromText)
    }
}

impl<'de> Deserialize<'de> for Map {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        match Value::deserialize(d)? {
            Value::Object(m) => Ok(m),
            _ => Err(de::Error::custom("invalid type: expected a map")),
        }
    }
}
