// Builds this crate a second time for Gear (wasm32v1-none, via gear-wasm-builder): the gtest
// suite runs that optimised wasm, the bytes a node would store.
fn main() {
    sails_rs::build_wasm();
}
