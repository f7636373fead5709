//! JSON text ↔ Rust values. In wasm the platform's `JSON.parse` / `JSON.stringify` read and
//! write the text, with serde-wasm-bindgen as the bridge, so no JSON parser, JSON value
//! deserializer or float printer ships in the wasm; natively (tests, tools) serde_json does it
//! (it is not a dependency of the wasm build). The one platform seam of the core: everything
//! else handles the crate's own [`Value`] or typed structs.

use serde::{de::DeserializeOwned, Serialize};

mod value;
pub use value::{Map, Number, Value};

/// Reads a typed `T` out of a JSON value (in wasm through a JS value, so the one
/// deserializer is serde-wasm-bindgen's); the error is a message for people.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    imp::from_value(value)
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

/// Parses JSON text into `T`; the error is a message for people.
pub fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    if !nests_within(text, MAX_NESTING) {
        return Err(format!("JSON nested deeper than {MAX_NESTING} levels"));
    }
    imp::from_text(text)
}

/// Whether no array or object in `text` is nested deeper than `max` (brackets inside
/// strings do not count). One pass, no allocation; the text need not be valid JSON.
fn nests_within(text: &str, max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return false;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
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

    pub fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    pub fn from_value<T: DeserializeOwned>(value: &super::Value) -> Result<T, String> {
        let value = serde_json::to_value(value).map_err(|e| e.to_string())?;
        serde_json::from_value(value).map_err(|e| e.to_string())
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
    use serde::{de::DeserializeOwned, Serialize};
    use wasm_bindgen::JsValue;

    fn to_js<T: Serialize + ?Sized>(value: &T) -> Option<JsValue> {
        value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()
    }

    pub fn to_text<T: Serialize + ?Sized>(value: &T) -> String {
        to_js(value)
            .and_then(|v| js_sys::JSON::stringify(&v).ok())
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    pub fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, String> {
        let value = js_sys::JSON::parse(text).map_err(|_| "not valid JSON".to_string())?;
        serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
    }

    /// Through a JS value: the one deserializer in the wasm is serde-wasm-bindgen's.
    pub fn from_value<T: DeserializeOwned>(value: &super::Value) -> Result<T, String> {
        let js = to_js(value).ok_or_else(|| "not JSON data".to_string())?;
        serde_wasm_bindgen::from_value(js).map_err(|e| e.to_string())
    }

    pub fn to_value<T: Serialize + ?Sized>(value: &T) -> super::Value {
        to_js(value).and_then(|v| serde_wasm_bindgen::from_value(v).ok()).unwrap_or_default()
    }

    pub fn float_text(x: f64) -> String {
        js_sys::Number::from(x).to_string_with_radix(10).ok().and_then(|s| s.as_string()).unwrap_or_default()
    }
}

/// `json!` for tests and fuzz targets (native): serde_json's macro, turned into a [`Value`].
#[cfg(not(target_arch = "wasm32"))]
macro_rules! json {
    ($($t:tt)+) => {
        serde_json::from_value::<$crate::json::Value>(serde_json::json!($($t)+)).expect("JSON")
    };
}
#[cfg(not(target_arch = "wasm32"))]
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
