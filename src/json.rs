//! JSON text ↔ Rust values. In wasm the platform's `JSON.parse` / `JSON.stringify` read and
//! write the text, with serde-wasm-bindgen as the bridge, so no JSON parser, JSON value
//! deserializer or float printer ships in the wasm; natively (tests, tools) serde_json does it
//! (it is not a dependency of the wasm build). The one platform seam of the core: everything
//! else handles the crate's own [`Value`] or typed structs.

use serde::{de::DeserializeOwned, Serialize};

mod de;
mod scan;
mod value;
pub use value::{FromText, Map, Number, Value, MAX_SAFE_INTEGER};

/// Reads a typed `T` out of a JSON value (the crate's own deserializer, the same on every
/// platform); the error is a message for people.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    T::deserialize(value).map_err(String::from)
}

/// `value` as a JSON value.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    imp::to_value(value)
}

/// A finite float as text for messages: JavaScript's `String(x)` in wasm, serde_json's
/// shortest form natively (no float printer of Rust's in the wasm).
pub(crate) fn float_text(x: f64) -> String {
    imp::float_text(x)
}

/// Serializes to JSON text. Struct fields keep their declaration order (the X-PAYMENT header's
/// key order depends on it).
pub fn to_text<T: Serialize + ?Sized>(value: &T) -> String {
    imp::to_text(value)
}

/// How deep arrays and objects may nest (as deep as serde_json parses). Parsed values are walked
/// recursively, and a node or server nesting tens of thousands of levels in a few kilobytes
/// would exhaust the wasm stack (a trap, not an error), so deeper text is refused unparsed.
pub const MAX_NESTING: usize = 127;

/// Parses JSON text into `T`; the error is a message for people. The text is checked first,
/// the same way on every platform (see [`scan`]).
pub fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    scan::check(text, MAX_NESTING)?;
    imp::from_text(text)
}

/// Parses UTF-8 JSON bytes into `T`.
pub fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let text = core::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    from_text(text)
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use serde::{de::DeserializeOwned, Serialize};

    pub fn to_text<T: Serialize + ?Sized>(value: &T) -> String {
        serde_json::to_string(value).unwrap_or_default()
    }

    /// Through a [`super::Value`] and the crate's deserializer, as in wasm, so native tests and
    /// fuzzing exercise the reader the wasm ships; serde_json only parses the text.
    pub fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, String> {
        let super::FromText(value) = serde_json::from_str(text).map_err(|e| e.to_string())?;
        super::from_value(&value)
    }

    pub fn to_value<T: Serialize + ?Sized>(value: &T) -> super::Value {
        serde_json::to_value(value).and_then(serde_json::from_value).unwrap_or_default()
    }

    pub fn float_text(x: f64) -> String {
        serde_json::Number::from_f64(x).map(|n| n.to_string()).unwrap_or_default()
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::{Map, Number, Value};
    use serde::{de::DeserializeOwned, Serialize};
    use wasm_bindgen::{JsCast, JsValue};

    fn to_js<T: Serialize + ?Sized>(value: &T) -> Option<JsValue> {
        value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()
    }

    pub fn to_text<T: Serialize + ?Sized>(value: &T) -> String {
        to_js(value).and_then(|v| js_sys::JSON::stringify(&v).ok()).and_then(|s| s.as_string()).unwrap_or_default()
    }

    pub fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, String> {
        let value = js_sys::JSON::parse(text).map_err(|_| "not valid JSON".to_string())?;
        super::from_value(&from_js(&value))
    }

    /// Values this crate serialized itself: no number beyond 2^53 can arise (serde-wasm-bindgen
    /// refuses such integers), and a float that is not finite makes the value null, as before.
    pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
        to_js(value).map(|v| from_js(&v)).unwrap_or_default()
    }

    /// A JS value made of JSON data, as a [`Value`], numbers by [`Number::from_f64`] (the
    /// text was checked before `JSON.parse`, so no string holds a lone surrogate).
    fn from_js(v: &JsValue) -> Value {
        if let Some(s) = v.as_string() {
            Value::String(s)
        } else if let Some(f) = v.as_f64() {
            // Refused already by the text check, or made in code (`to_value`): null.
            Number::from_f64(f).map_or(Value::Null, Value::Number)
        } else if let Some(b) = v.as_bool() {
            Value::Bool(b)
        } else if js_sys::Array::is_array(v) {
            Value::Array(v.unchecked_ref::<js_sys::Array>().iter().map(|item| from_js(&item)).collect())
        } else if v.is_object() {
            let pairs = js_sys::Object::entries(v.unchecked_ref())
                .iter()
                .map(|pair| {
                    let pair: js_sys::Array = pair.unchecked_into();
                    (pair.get(0).as_string().unwrap_or_default(), from_js(&pair.get(1)))
                })
                .collect();
            Value::Object(Map::from_pairs(pairs))
        } else {
            Value::Null
        }
    }

    pub fn float_text(x: f64) -> String {
        js_sys::Number::from(x).to_string_with_radix(10).ok().and_then(|s| s.as_string()).unwrap_or_default()
    }
}

/// `json!` for tests and fuzz targets: serde_json's macro, turned into a [`Value`].
#[cfg(any(test, not(target_arch = "wasm32")))]
macro_rules! json {
    ($($t:tt)+) => {
        serde_json::from_value::<$crate::json::Value>(serde_json::json!($($t)+)).expect("JSON")
    };
}
#[cfg(any(test, not(target_arch = "wasm32")))]
pub(crate) use json;

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Ordered {
        z_last_alphabetically: u8,
        a_first: String,
    }

    #[test]
    fn round_trips_and_keeps_field_order() {
        let v = Ordered { z_last_alphabetically: 1, a_first: "x".into() };
        let text = super::to_text(&v);
        assert_eq!(text, r#"{"zLastAlphabetically":1,"aFirst":"x"}"#);
        assert_eq!(super::from_text::<Ordered>(&text).unwrap(), v);
        assert!(super::from_bytes::<Ordered>(b"\xff").is_err());
        assert!(super::from_text::<Ordered>("{").is_err());
    }

    #[test]
    fn refuses_deep_nesting_before_parsing() {
        let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert!(super::from_text::<super::Value>(&nested(super::MAX_NESTING)).is_ok());
        let e = super::from_text::<super::Value>(&nested(super::MAX_NESTING + 1)).unwrap_err();
        assert!(e.contains("nested deeper than 127"), "{e}");
        assert!(super::from_text::<super::Value>(&nested(100_000)).is_err());
        // Brackets inside strings, escaped quotes included, are text.
        let text = format!(r#"{{"a":"{}\"{}\\","b":[1]}}"#, "[".repeat(500), "{".repeat(500));
        assert!(super::from_text::<super::Value>(&text).is_ok());
    }
}

#[cfg(test)]
mod value_tests {
    use super::{from_text, from_value, to_text, to_value, Map, Number, Value};

    #[test]
    fn objects_keep_keys_sorted_and_the_later_of_two_equal_keys() {
        let v: Value = from_text(r#"{"b":1,"a":{"z":null,"y":[true,"x"]},"b":2}"#).unwrap();
        assert_eq!(to_text(&v), r#"{"a":{"y":[true,"x"],"z":null},"b":2}"#);
        assert_eq!(v.to_string(), to_text(&v));
        let built = Value::object([("z", 1u64.into()), ("a", Some("x").into()), ("m", None::<u64>.into())]);
        assert_eq!(to_text(&built), r#"{"a":"x","m":null,"z":1}"#);
        let mut m = Map::new();
        assert_eq!(m.insert("k".into(), true.into()), None);
        assert_eq!(m.insert("k".into(), false.into()), Some(Value::Bool(true)));
        assert_eq!((m.len(), &m["k"], &m["missing"]), (1, &Value::Bool(false), &Value::Null));
        let mut n = Value::Null;
        n["a"] = json!(5);
        assert_eq!(n, json!({"a": 5}));
    }

    #[test]
    fn numbers_are_read_as_a_javascript_number_holds_them() {
        let v: Value =
            from_text(r#"[0, -3, 9007199254740991, -9007199254740991, 1.5, -0, 1.0, 1e2, -2.50, 1e-400]"#).unwrap();
        let expected = [
            Number::PosInt(0),
            Number::NegInt(-3),
            Number::PosInt(super::MAX_SAFE_INTEGER),
            Number::NegInt(-(super::MAX_SAFE_INTEGER as i64)),
            Number::Float(1.5),
            Number::PosInt(0),
            Number::PosInt(1),
            Number::PosInt(100),
            Number::Float(-2.5),
            Number::PosInt(0),
        ];
        assert_eq!(v, Value::Array(expected.into_iter().map(Value::Number).collect()));
        assert_eq!(to_text(&v), "[0,-3,9007199254740991,-9007199254740991,1.5,0,1,100,-2.5,0]");
        // Refused, not rounded or dropped: what JSON.parse would round (or make Infinity).
        for text in [
            "9007199254740992",
            "-9007199254740992",
            "18446744073709551615",
            "18446744073709551616",
            "1e20",
            "1e400",
            "-1e400",
            "9007199254740993.0",
        ] {
            for doc in [text.to_string(), format!(r#"{{"amount":{text}}}"#), format!("[1,{text}]")] {
                assert!(from_text::<Value>(&doc).is_err(), "{doc}");
            }
        }
        // A typed field that takes an integer takes `1.0` too (JSON.parse cannot tell them apart).
        assert_eq!(from_text::<u8>("1.0"), Ok(1));
        assert_eq!(from_text::<u64>("-0"), Ok(0));
    }

    #[test]
    fn strings_that_are_not_unicode_are_refused() {
        for text in [r#""\ud800""#, r#""a\udfffb""#, r#"{"\udc00":1}"#, r#"["\ud83d\u0041"]"#] {
            assert!(from_text::<Value>(text).is_err(), "{text}");
        }
        assert_eq!(from_text::<String>(r#""\ud83d\ude00 \ufffd""#).unwrap(), "😀 \u{fffd}");
    }

    #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Typed {
        version: u8,
        name: String,
        #[serde(default)]
        extra: Option<Value>,
        list: Vec<String>,
    }

    #[test]
    fn typed_structs_read_out_of_values_with_serde_s_messages() {
        let v = json!({"version": 2, "name": "n", "extra": {"f": 0.25}, "list": ["a"], "unknown": [1.5]});
        let t: Typed = from_value(&v).unwrap();
        assert_eq!(t.extra, Some(json!({"f": 0.25})));
        assert_eq!(to_value(&t), json!({"version": 2, "name": "n", "extra": {"f": 0.25}, "list": ["a"]}));
        let message = |v: Value| from_value::<Typed>(&v).unwrap_err();
        assert_eq!(message(json!({"version": 2, "list": []})), "missing field `name`");
        assert_eq!(
            message(json!({"version": 2, "name": 5, "list": []})),
            "invalid type: integer `5`, expected a string"
        );
        assert_eq!(
            message(json!({"version": 2, "name": 1.5, "list": []})),
            "invalid type: floating point `1.5`, expected a string"
        );
        assert_eq!(
            message(json!({"version": 300, "name": "n", "list": []})),
            "invalid value: integer `300`, expected u8"
        );
        assert_eq!(
            message(json!({"version": -1, "name": "n", "list": []})),
            "invalid value: integer `-1`, expected u8"
        );
        assert_eq!(message(json!({"version": 2, "name": "n", "list": {}})), "invalid type: map, expected a sequence");
        assert_eq!(message(json!([1])), "invalid type: sequence, expected struct Typed");
        assert_eq!(message(json!(null)), "invalid type: null, expected struct Typed");
    }
}
