//! Runs inside wasm, in Node and in headless Chromium (wasm-bindgen-test; see
//! scripts/test-all.sh for how the browser is chosen). These check that the cryptography
//! and the JS-facing layer behave the same compiled to wasm32 as natively.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use x402_vara_wasm::signer::keypair;
use x402_vara_wasm::wasm::{decode_payment_header, parse_payment_response, select_payment_requirements, Keypair};

#[wasm_bindgen_test]
fn alice_has_her_vara_address() {
    let alice = Keypair::from_suri("//Alice").unwrap();
    assert_eq!(alice.address(), "kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW");
    assert_eq!(alice.public_key(), "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
}

#[wasm_bindgen_test]
fn sr25519_sign_verify_round_trip_in_wasm() {
    let alice = Keypair::from_suri("//Alice").unwrap();
    let signature = alice.sign(b"x402 in wasm").unwrap();
    assert_eq!(signature.len(), 64);
    let public: [u8; 32] = hex::decode(&alice.public_key()[2..]).unwrap().try_into().unwrap();
    assert!(keypair::verify(&public, b"x402 in wasm", &signature));
    assert!(!keypair::verify(&public, b"something else", &signature));
}

#[wasm_bindgen_test]
fn mnemonic_and_seed_constructors_agree_with_the_suri_form() {
    let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
    let from_phrase = Keypair::from_mnemonic(phrase, None).unwrap();
    let from_suri = Keypair::from_suri(phrase).unwrap();
    assert_eq!(from_phrase.address(), from_suri.address());
    let seed = JsValue::from_str("0x0101010101010101010101010101010101010101010101010101010101010101");
    assert!(Keypair::from_seed(seed).is_ok());
}

fn code_of(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &"code".into()).unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
fn errors_reach_js_with_their_code_and_without_secrets() {
    let error = Keypair::from_suri("correct horse battery staple").err().unwrap();
    assert_eq!(code_of(error.clone()), "INVALID_SECRET");
    let message = js_sys::Reflect::get(&error, &"message".into()).unwrap().as_string().unwrap();
    assert!(!message.contains("horse"));
    assert_eq!(code_of(decode_payment_header("%%%").err().unwrap()), "MALFORMED_HEADER");
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
    let receipt = parse_payment_response(&hash).unwrap();
    assert_eq!(js_sys::Reflect::get(&receipt, &"txHash".into()).unwrap().as_string().unwrap(), hash);
}
