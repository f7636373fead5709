// Builds this crate a second time for Gear (wasm32v1-none, via gear-wasm-builder).
fn main() {
    sails_rs::build_wasm();
}
