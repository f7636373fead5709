#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| x402_vara_wasm::fuzzing::payment_required_v1(data));
