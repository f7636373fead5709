#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| x402_vara_wasm::fuzzing::ss58(data));
