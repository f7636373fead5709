//! Runs inside wasm, in Node and in headless Chromium, Firefox and WebKitGTK (wasm-bindgen-test;
//! see scripts/test-all.sh for how each engine is chosen). These check that the cryptography
//! and the JS-facing layer behave the same compiled to wasm32 as natively, and drive the fetch
//! wrapper's flows (402 → pay → repeat, refusals, body replay, receipts, abort) in each engine.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use x402_vara_wasm::signer::sr25519;
use x402_vara_wasm::wasm::{
    decode_payment_header, get_payment_receipt, parse_payment_response, select_payment_requirements,
    wrap_fetch_with_payment, x402_fetch, Keypair,
};

#[wasm_bindgen_test]
fn alice_has_her_vara_address() {
    let alice = Keypair::from_suri("//Alice".into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(alice.address(), "kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW");
    assert_eq!(alice.public_key(), "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
}

#[wasm_bindgen_test]
fn sr25519_sign_verify_round_trip_in_wasm() {
    let alice = Keypair::from_suri("//Alice".into(), JsValue::UNDEFINED).unwrap();
    let signature = alice.sign(Uint8Array::from(&b"x402 in wasm"[..]).into()).unwrap();
    assert_eq!(signature.len(), 64);
    let public: [u8; 32] = hex::decode(&alice.public_key()[2..]).unwrap().try_into().unwrap();
    assert!(sr25519::verify(&public, b"x402 in wasm", &signature));
    assert!(!sr25519::verify(&public, b"something else", &signature));
}

#[wasm_bindgen_test]
fn derivations_and_mnemonics_give_polkadot_js_keys_in_wasm() {
    // Public keys from @polkadot/keyring (addFromUri, sr25519).
    let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
    let long = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful \
                legal winner thank year wave sausage worth title";
    for (suri, public) in [
        ("//Alice//stash".to_string(), "0xbe5ddb1579b72e84524fc29e78609e3caf42e85aa118ebfe0b0ad404b5bdd25f"),
        ("//Alice/soft/1".to_string(), "0x62fdaf0ce8389532e4d1c495297cb16633a2219c7c9985b636d690c698523f18"),
        (format!("{phrase}//hard/soft///pw"), "0x402136a5686af703e609eca69e27d78621d1cd9ceae0d3bc3e23ad569a5dbc28"),
        (format!("{long}///Substrate"), "0xc46c6bc9925549830bb66c2bc7df8bda1e6ccd93f840caedc4f552b1bf6d3e0e"),
    ] {
        let key = Keypair::from_suri(suri.as_str().into(), JsValue::UNDEFINED).unwrap();
        assert_eq!(key.public_key(), public, "{suri}");
        let signature = key.sign(Uint8Array::from(&b"m"[..]).into()).unwrap();
        let public: [u8; 32] = hex::decode(&public[2..]).unwrap().try_into().unwrap();
        assert!(sr25519::verify(&public, b"m", &signature));
    }
}

#[wasm_bindgen_test]
fn mnemonic_and_seed_constructors_agree_with_the_suri_form() {
    let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
    let from_phrase = Keypair::from_mnemonic(phrase.into(), JsValue::UNDEFINED).unwrap();
    let from_suri = Keypair::from_suri(phrase.into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(from_phrase.address(), from_suri.address());
    let seed = JsValue::from_str("0x0101010101010101010101010101010101010101010101010101010101010101");
    assert!(Keypair::from_seed(seed, JsValue::UNDEFINED).is_ok());
}

fn code_of(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &"code".into()).unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
fn errors_reach_js_with_their_code_and_without_secrets() {
    let error = Keypair::from_suri("correct horse battery staple".into(), JsValue::UNDEFINED).err().unwrap();
    assert_eq!(code_of(error.clone()), "INVALID_SECRET");
    let message = js_sys::Reflect::get(&error, &"message".into()).unwrap().as_string().unwrap();
    assert!(!message.contains("horse"));
    assert_eq!(code_of(decode_payment_header("%%%".into()).err().unwrap()), "MALFORMED_HEADER");
}

#[wasm_bindgen_test]
fn requirements_are_selected_under_the_default_limit() {
    let body = r#"{"x402Version":1,"accepts":[{"scheme":"exact","network":"vara-testnet","maxAmountRequired":"200000000000",
        "resource":"r","payTo":"kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW","maxTimeoutSeconds":60}]}"#;
    let error = select_payment_requirements(JsValue::from_str(body), JsValue::UNDEFINED).err().unwrap();
    assert_eq!(code_of(error), "AMOUNT_OVER_LIMIT");
    let options = js_sys::JSON::parse(r#"{"maxAmount":{"VARA":"200000000000"}}"#).unwrap();
    assert!(select_payment_requirements(JsValue::from_str(body), options).is_ok());
}

#[wasm_bindgen_test]
fn receipts_in_both_reference_forms() {
    let hash = format!("0x{}", "ab".repeat(32));
    let receipt = parse_payment_response(JsValue::from_str(&hash)).unwrap();
    assert_eq!(js_sys::Reflect::get(&receipt, &"txHash".into()).unwrap().as_string().unwrap(), hash);
}

// ---- The JSON the wasm reads: JSON.parse and the conversion, against the native reader ----
// The wasm reads every JSON text through the engine's `JSON.parse` and src/json.rs's conversion
// of the result, which no native test or fuzzer runs. Here the same texts go through both that
// path and serde_json (the native reader, compiled into this test), which must agree: the same
// value, or both refuse.

/// The JSON seeds of the fuzz targets (every engine; in Node the whole corpora on disk too).
const SEEDS: &[&str] = &[
    include_str!("../fuzz/seeds/extrinsic/tx0.json"),
    include_str!("../fuzz/seeds/extrinsic/tx2.json"),
    include_str!("../fuzz/seeds/extrinsic/tx4.json"),
    include_str!("../fuzz/seeds/payment_header/header-0.json"),
    include_str!("../fuzz/seeds/payment_header/header-1.json"),
    include_str!("../fuzz/seeds/payment_header/header-2.json"),
    include_str!("../fuzz/seeds/payment_header/header-3.json"),
    include_str!("../fuzz/seeds/payment_header/header-4.json"),
    include_str!("../fuzz/seeds/payment_required_v1/body.json"),
    include_str!("../fuzz/seeds/payment_required_v2/header.json"),
    include_str!("../fuzz/seeds/payment_required_v2/header.b64"),
    include_str!("../fuzz/seeds/rpc_response/batch.json"),
    include_str!("../fuzz/seeds/rpc_response/error.json"),
    include_str!("../fuzz/seeds/rpc_response/meta.json"),
    include_str!("../fuzz/seeds/rpc_response/one.json"),
    include_str!("../fuzz/seeds/rpc_response/query_info"),
    include_str!("../fuzz/seeds/settlement_receipt/v1.json"),
    include_str!("../fuzz/seeds/settlement_receipt/v2.json"),
    include_str!("../fuzz/seeds/settlement_receipt/v2.b64"),
];

/// Texts where JSON.parse and serde_json could part: numbers at every edge, strings that are
/// not Unicode, escapes, keys, whitespace, and what neither should take.
const EDGES: &[&str] = &[
    "0",
    "-0",
    "0.0",
    "-0.0",
    "1",
    "1.0",
    "1e0",
    "1E+2",
    "1e-2",
    "-2.50",
    "0.1",
    "0.30000000000000004",
    "9007199254740991",
    "-9007199254740991",
    "9007199254740992",
    "-9007199254740992",
    "9007199254740993",
    "9007199254740991.0",
    "9007199254740990.5",
    "4503599627370495.5",
    "123456789012345678",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "1e20",
    "1e22",
    "1e23",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "2e308",
    "1e400",
    "-1e400",
    "5e-324",
    "2e-324",
    "1e-400",
    "-1e-400",
    "2.2250738585072011e-308",
    "0.1000000000000000055511151231257827",
    "3.141592653589793238462643383279",
    "1.00000000000000011102230246251565404236316680908203125",
    "9007199254740993e-1",
    "0.000000000000000000001",
    "123.456e-2",
    "1e-7",
    "100000000000000000000000000000",
    "01",
    "+1",
    ".5",
    "1.",
    "1e",
    "-",
    "--1",
    "0x10",
    "NaN",
    "Infinity",
    "-Infinity",
    "1_000",
    r#""\ud800""#,
    r#""\udc00""#,
    r#""\ud83d\ude00""#,
    r#""\ud83d""#,
    r#""\ud83dx""#,
    r#""\uDBFF\uDFFF""#,
    r#""\ude00\ud83d""#,
    r#""\u0000""#,
    "\"\u{0}\"",
    "\"tab\there\"",
    r#""\/""#,
    "\"\u{2028}\u{2029}\"",
    r#""\x41""#,
    r#""\u00e9""#,
    "\"\u{fffd}\"",
    r#""\ufffd""#,
    "'single'",
    r#"{"a":1,"a":2}"#,
    r#"{"a":1e400,"a":2}"#,
    r#"{"a":"\ud800","a":2}"#,
    r#"{"a":9007199254740993,"a":2}"#,
    r#"{"__proto__":{"x":1}}"#,
    r#"{"b":1,"a":2,"10":3,"2":4,"é":5,"e":6}"#,
    r#"{"":0}"#,
    r#"{"\ud800":0}"#,
    r#"{"\ud83d\ude00":0}"#,
    r#"{"a":1,}"#,
    "[1,]",
    "[1 2]",
    r#"{"a" 1}"#,
    "{'a':1}",
    " \t\n\r[1] \n",
    "\u{feff}[1]",
    "\u{a0}[1]",
    "[1]\u{2028}",
    "null",
    "true",
    "false",
    r#""x""#,
    "[]",
    "{}",
    "",
    " ",
    "nul",
    "true false",
    "[1]]",
    r#"{"a":[1,{"b":null}],"c":"d"}"#,
];

/// Each number in `text` (outside strings) replaced by `with`, one at a time.
fn with_each_number_replaced(text: &str, with: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let (mut out, mut i, mut in_string, mut escaped) = (Vec::new(), 0, false, false);
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
        } else if b == b'-' || b.is_ascii_digit() {
            let end = (i..bytes.len())
                .find(|&j| !matches!(bytes[j], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                .unwrap_or(bytes.len());
            out.push(format!("{}{with}{}", &text[..i], &text[end..]));
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// In Node, every file of the fuzz seeds, corpora (what `scripts/fuzz.sh` has grown) and saved
/// regressions; elsewhere nothing.
fn corpora_on_disk() -> Vec<Vec<u8>> {
    let read = Function::new_with_args(
        "root",
        "const p = globalThis.process;
         if (!p || !p.getBuiltinModule) return [];
         const fs = p.getBuiltinModule('node:fs'), path = p.getBuiltinModule('node:path');
         const out = [];
         const walk = (dir) => {
           let entries;
           try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
           for (const e of entries) {
             const file = path.join(dir, e.name);
             if (e.isDirectory()) walk(file);
             else if (fs.statSync(file).size <= 1 << 20) out.push(new Uint8Array(fs.readFileSync(file)));
           }
         };
         for (const dir of ['fuzz/seeds', 'fuzz/corpus', 'tests/fuzz-regressions']) walk(path.join(root, dir));
         return out;",
    );
    let files: Array = read.call1(&JsValue::UNDEFINED, &env!("CARGO_MANIFEST_DIR").into()).unwrap().into();
    files.iter().map(|f| Uint8Array::new(&f).to_vec()).collect()
}

/// Whether the shipped reader and the native one agree on `text`; the disagreement if not.
fn json_readers_agree(text: &str) -> Option<String> {
    use x402_vara_wasm::json::{from_text, FromText, Value};
    let shipped = from_text::<Value>(text);
    if shipped.as_ref().is_err_and(|e| e.contains("nested deeper")) {
        return None; // refused before either parser runs: the same check on both paths
    }
    let native = serde_json::from_str::<FromText>(text).map(|v| v.0).map_err(|e| e.to_string());
    match (&shipped, &native) {
        (Ok(a), Ok(b)) if a == b => None,
        (Err(_), Err(_)) => None,
        _ => Some(format!("{text:?}: shipped {shipped:?}, native {native:?}")),
    }
}

#[wasm_bindgen_test]
fn the_shipped_json_reader_reads_every_text_as_the_native_one() {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let mut texts: Vec<String> = EDGES.iter().map(|t| t.to_string()).collect();
    for edge in EDGES {
        texts.push(format!(r#"{{"x402Version":1,"n":{edge},"list":[{edge}]}}"#));
    }
    let on_disk = corpora_on_disk();
    let files = SEEDS.iter().map(|s| s.as_bytes().to_vec()).chain(on_disk.iter().cloned());
    for file in files {
        let Ok(text) = String::from_utf8(file) else { continue };
        // Headers carry their JSON in base64: read what it decodes to as well.
        if let Some(decoded) = STANDARD.decode(text.trim()).ok().and_then(|b| String::from_utf8(b).ok()) {
            texts.push(decoded);
        }
        texts.push(text);
    }
    let whole = texts.len();
    for text in texts[..whole].to_vec().iter().filter(|t| t.starts_with('{') || t.starts_with('[')) {
        for edge in ["-0", "1.0", "1e400", "9007199254740993", "0.1000000000000000055511151231257827", "5e-324"] {
            texts.extend(with_each_number_replaced(text, edge).into_iter().take(40));
        }
        texts.push(text.replace(r#"":"#, r#"\ud800":"#));
    }
    let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
    texts.extend([nested(126), nested(127), nested(128), "a".repeat(100_000)]);
    let disagreements: Vec<String> = texts.iter().filter_map(|t| json_readers_agree(t)).collect();
    console_log!("JSON readers: {} texts, {} files from the fuzz corpora on disk", texts.len(), on_disk.len());
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}

#[wasm_bindgen_test]
fn numbers_and_strings_that_json_parse_would_change_are_refused_not_changed() {
    use x402_vara_wasm::json::{from_text, Number, Value};
    let body = |n: &str| format!(r#"{{"x402Version":1,"accepts":[],"n":{n}}}"#);
    // Also where JSON.parse would drop the value (the earlier of two equal keys).
    let e = from_text::<Value>(r#"{"n":1e400,"n":1}"#).unwrap_err();
    assert!(e.contains("beyond ±(2^53 − 1)"), "{e}");
    for (n, why) in [
        ("1e400", "beyond ±(2^53 − 1)"),
        ("-1e400", "beyond ±(2^53 − 1)"),
        ("9007199254740993", "beyond ±(2^53 − 1)"),
        ("18446744073709551615", "beyond ±(2^53 − 1)"),
    ] {
        let e = from_text::<Value>(&body(n)).unwrap_err();
        assert!(e.contains(why), "{n}: {e}");
    }
    let read = |n: &str| from_text::<Value>(&body(n)).unwrap()["n"].clone();
    assert_eq!(read("-0"), Value::Number(Number::PosInt(0)));
    assert_eq!(read("1.0"), Value::Number(Number::PosInt(1)));
    assert_eq!(read("9007199254740991"), Value::Number(Number::PosInt(9_007_199_254_740_991)));
    assert_eq!(read("0.5"), Value::Number(Number::Float(0.5)));
    // A JS value handed to the API: JSON.stringify would write NaN and Infinity as null.
    let body = r#"{"x402Version":1,"accepts":[{"scheme":"exact","network":"vara-testnet","maxAmountRequired":"1",
        "resource":"r","payTo":"kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW","maxTimeoutSeconds":60}]}"#;
    for number in [f64::INFINITY, f64::NAN, 2f64.powi(60)] {
        let options = js_sys::JSON::parse(r#"{"maxAmount":{"VARA":0}}"#).unwrap();
        Reflect::set(&get(&options, "maxAmount"), &"VARA".into(), &number.into()).unwrap();
        let error = select_payment_requirements(JsValue::from_str(body), options).err().unwrap();
        assert_eq!(code_of(error.clone()), "INVALID_OPTIONS");
        let message = Reflect::get(&error, &"message".into()).unwrap().as_string().unwrap();
        let why = if number.is_finite() { "beyond ±(2^53 − 1)" } else { "\"VARA\" is not a finite number" };
        assert!(message.contains(why), "{number}: {message}");
    }
    let e = from_text::<Value>(r#"{"s":"a\ud800b"}"#).unwrap_err();
    assert!(e.contains("lone surrogate"), "{e}");
    assert_eq!(from_text::<Value>(r#"{"s":"\ud83d\ude00"}"#).unwrap()["s"], Value::String("😀".into()));
}

// ---- The fetch wrapper's flows, in each engine -------------------------------------------
// The server and the chain node are JS stand-ins (tests/support/stand-ins.js, shared with the
// Node suites): a wasm-bindgen test page cannot start a server. The end-to-end suites and the
// page tests pay the real reference server on a real runtime.

const SHOP: &str = "http://shop.test";
const ALICE: &str = "kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW";

fn stand_ins() -> JsValue {
    Function::new_no_args(include_str!("support/stand-ins.js")).call0(&JsValue::UNDEFINED).unwrap()
}

fn get(object: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(object.clone(), |o, key| Reflect::get(&o, &key.into()).unwrap())
}

fn call(object: &JsValue, name: &str, args: &[JsValue]) -> JsValue {
    let f: Function = get(object, name).dyn_into().unwrap();
    f.apply(object, &args.iter().collect::<Array>()).unwrap()
}

fn text(object: &JsValue, path: &str) -> String {
    get(object, path).as_string().unwrap_or_else(|| panic!("{path} is not a string"))
}

fn count(object: &JsValue, path: &str) -> f64 {
    get(object, path).as_f64().unwrap()
}

/// The stand-ins, a resource server, and options whose `rpcFetch` is a scripted Vara node.
struct Scene {
    js: JsValue,
    server: JsValue,
    options: JsValue,
}

impl Scene {
    fn new() -> Scene {
        Scene::with_rpc(Object::new().into())
    }

    fn with_rpc(rpc_options: JsValue) -> Scene {
        let js = stand_ins();
        let metadata = format!("0x{}", hex::encode(include_bytes!("fixtures/vara-recent.metadata.scale")));
        let rpc = call(&js, "scriptedRpc", &[metadata.into(), rpc_options]);
        let server = call(&js, "resourceServer", &[]);
        let options = Object::new();
        Reflect::set(&options, &"rpcFetch".into(), &get(&rpc, "rpcFetch")).unwrap();
        Scene { js, server, options: options.into() }
    }

    fn option(self, key: &str, value: JsValue) -> Scene {
        Reflect::set(&self.options, &key.into(), &value).unwrap();
        self
    }

    fn signer(&self, refuse: bool) -> JsValue {
        let key: JsValue = Keypair::from_suri("//Alice".into(), JsValue::UNDEFINED).unwrap().into();
        let settings = js_sys::JSON::parse(&format!(r#"{{"refuse":{refuse}}}"#)).unwrap();
        call(&self.js, "countingSigner", &[key, settings])
    }

    fn wrap(&self, signer: &JsValue) -> Function {
        wrap_fetch_with_payment(get(&self.server, "fetch"), signer.clone(), self.options.clone()).unwrap()
    }
}

async fn settle(promise: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::from(promise)).await
}

async fn request(wrapped: &Function, path: &str, init: JsValue) -> Result<web_sys::Response, JsValue> {
    let promise = wrapped.call2(&JsValue::UNDEFINED, &format!("{SHOP}{path}").into(), &init).unwrap();
    settle(promise).await.map(|r| r.unchecked_into())
}

fn post(body: &JsValue) -> JsValue {
    let init =
        js_sys::JSON::parse(r#"{"method":"POST","headers":{"content-type":"text/plain","x-custom":"kept"}}"#).unwrap();
    Reflect::set(&init, &"body".into(), body).unwrap();
    init
}

fn assert_x402_error(error: &JsValue, expected: &str) {
    assert_eq!(text(error, "name"), "X402Error", "{error:?}");
    assert_eq!(code_of(error.clone()), expected, "{:?}", get(error, "message"));
}

#[wasm_bindgen_test]
async fn pays_then_repeats_the_request_with_its_header_and_keeps_the_receipt() {
    let scene = Scene::new();
    let signer = scene.signer(false);
    let response = request(&scene.wrap(&signer), "/paid", JsValue::UNDEFINED).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(count(&signer, "calls"), 1.0);
    assert_eq!(count(&scene.server, "requests"), 2.0); // the 402, then the paid repeat
    let header = text(&scene.server, "paid.0.payment");
    let decoded = decode_payment_header(JsValue::from_str(&header)).unwrap();
    assert_eq!(text(&decoded, "network"), "vara-testnet");
    assert_eq!(text(&decoded, "scheme"), "exact");

    let receipt = get_payment_receipt(response.into());
    assert_eq!(text(&receipt, "header"), header);
    assert_eq!(text(&receipt, "settlement.txHash"), text(&scene.js, "TX_HASH"));
    assert_eq!(text(&receipt, "summary.payer"), ALICE);
    assert_eq!(text(&receipt, "summary.payTo"), text(&scene.js, "BOB"));
    assert_eq!(text(&receipt, "summary.amount"), text(&scene.js, "PRICE"));
}

#[wasm_bindgen_test]
async fn a_response_that_was_not_paid_has_no_receipt() {
    let scene = Scene::new();
    let signer = scene.signer(false);
    let response = request(&scene.wrap(&signer), "/free", JsValue::UNDEFINED).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(get_payment_receipt(response.into()).is_undefined());
    assert_eq!(count(&signer, "calls"), 0.0);
}

#[wasm_bindgen_test]
async fn hostile_402_bodies_are_refused_with_their_codes_and_nothing_is_signed() {
    let cases = [
        ("/overcharge", "AMOUNT_OVER_LIMIT"),
        ("/unknown-network", "NETWORK_NOT_ALLOWED"),
        ("/token", "ASSET_NOT_ALLOWED"),
        ("/malformed", "MALFORMED_402"),
        ("/empty", "NO_ACCEPTABLE_REQUIREMENTS"),
        ("/bad-pay-to", "INVALID_ADDRESS"),
        ("/huge", "MALFORMED_402"),
    ];
    for (path, code) in cases {
        let scene = Scene::new();
        let signer = scene.signer(false);
        let error = request(&scene.wrap(&signer), path, JsValue::UNDEFINED).await.err().unwrap();
        assert_x402_error(&error, code);
        assert_eq!(count(&signer, "calls"), 0.0, "{path} was signed");
    }
}

#[wasm_bindgen_test]
async fn an_endless_402_body_is_abandoned_past_the_limit() {
    let scene = Scene::new();
    let error = request(&scene.wrap(&scene.signer(false)), "/endless", JsValue::UNDEFINED).await.err().unwrap();
    assert_x402_error(&error, "MALFORMED_402");
    assert!(
        count(&scene.server, "endlessChunks") < 16.0,
        "read {} chunks of 64 KiB",
        count(&scene.server, "endlessChunks")
    );
}

#[wasm_bindgen_test]
async fn a_second_402_after_paying_is_an_error_never_a_second_payment() {
    let scene = Scene::new();
    let signer = scene.signer(false);
    let error = request(&scene.wrap(&signer), "/again", JsValue::UNDEFINED).await.err().unwrap();
    assert_x402_error(&error, "PAYMENT_REJECTED_BY_SERVER");
    assert_eq!(count(&signer, "calls"), 1.0);
}

#[wasm_bindgen_test]
async fn a_string_body_is_sent_again_with_the_payment() {
    let scene = Scene::new();
    let response = request(&scene.wrap(&scene.signer(false)), "/paid", post(&"plain text body".into())).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(text(&scene.server, "paid.0.text"), "plain text body");
    assert_eq!(text(&scene.server, "paid.0.method"), "POST");
    assert_eq!(text(&scene.server, "paid.0.custom"), "kept");
    assert_eq!(text(&scene.server, "paid.0.contentType"), "text/plain");
}

#[wasm_bindgen_test]
async fn a_bytes_body_is_sent_again_with_the_payment() {
    let scene = Scene::new();
    let body = Uint8Array::from(&[1u8, 2, 3, 250, 0][..]);
    let response = request(&scene.wrap(&scene.signer(false)), "/paid", post(&body.into())).await.unwrap();
    assert_eq!(response.status(), 200);
    let sent: Vec<u8> =
        Array::from(&get(&scene.server, "paid.0.bytes")).iter().map(|b| b.as_f64().unwrap() as u8).collect();
    assert_eq!(sent, vec![1, 2, 3, 250, 0]);
}

#[wasm_bindgen_test]
async fn on_before_payment_can_refuse_before_anything_is_signed() {
    let hook = Function::new_with_args("preview", "globalThis.x402Preview = preview; return false;");
    let scene = Scene::new().option("onBeforePayment", hook.into());
    let signer = scene.signer(false);
    let error = request(&scene.wrap(&signer), "/paid", JsValue::UNDEFINED).await.err().unwrap();
    assert_x402_error(&error, "SIGNER_REJECTED");
    assert_eq!(count(&signer, "calls"), 0.0);
    let preview = get(&js_sys::global(), "x402Preview");
    assert_eq!(text(&preview, "amount"), text(&scene.js, "PRICE"));
    assert_eq!(text(&preview, "payTo"), text(&scene.js, "BOB"));
}

#[wasm_bindgen_test]
async fn a_signer_that_refuses_becomes_signer_rejected() {
    let scene = Scene::new();
    let signer = scene.signer(true);
    let error = request(&scene.wrap(&signer), "/paid", JsValue::UNDEFINED).await.err().unwrap();
    assert_x402_error(&error, "SIGNER_REJECTED");
    assert!(text(&error, "message").contains("Cancelled"));
    assert_eq!(get(&scene.server, "paid.length").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
async fn a_node_on_another_chain_is_refused() {
    let rpc = js_sys::JSON::parse(&format!(r#"{{"genesisHash":"0x{}"}}"#, "45".repeat(32))).unwrap();
    let urls = js_sys::JSON::parse(r#"{"vara-testnet":"http://node.test/another"}"#).unwrap();
    let scene = Scene::with_rpc(rpc).option("rpcUrls", urls);
    let signer = scene.signer(false);
    let error = request(&scene.wrap(&signer), "/paid", JsValue::UNDEFINED).await.err().unwrap();
    assert_x402_error(&error, "WRONG_CHAIN");
    assert_eq!(count(&signer, "calls"), 0.0);
}

#[wasm_bindgen_test]
async fn x402_fetch_pays_one_request_with_the_global_fetch() {
    let scene = Scene::new();
    let signer = scene.signer(false);
    let (signer2, options) = (signer.clone(), scene.options.clone());
    let run = Closure::once_into_js(move || {
        wasm_bindgen_futures::future_to_promise(x402_fetch(
            format!("{SHOP}/paid").into(),
            JsValue::UNDEFINED,
            signer2,
            options,
        ))
    });
    let response: web_sys::Response =
        settle(call(&scene.js, "withGlobalFetch", &[get(&scene.server, "fetch"), run])).await.unwrap().unchecked_into();
    assert_eq!(response.status(), 200);
    assert_eq!(count(&signer, "calls"), 1.0);
    assert_eq!(text(&get_payment_receipt(response.into()), "settlement.txHash"), text(&scene.js, "TX_HASH"));
}

/// An aborted signal ends the request with ABORTED (not a NETWORK_ERROR), nothing signed.
#[wasm_bindgen_test]
async fn an_aborted_request_rejects_with_aborted() {
    let scene = Scene::new();
    let signer = scene.signer(false);
    let wrapped: JsValue = scene.wrap(&signer).into();
    let promise = call(&scene.js, "abortWhileWaiting", &[wrapped, scene.server.clone(), format!("{SHOP}/hang").into()]);
    let error = settle(promise).await.err().unwrap();
    assert_x402_error(&error, "ABORTED");
    assert_eq!(count(&signer, "calls"), 0.0);
}
