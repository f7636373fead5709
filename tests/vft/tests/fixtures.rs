//! The node answers other suites replay (tests/vft/fixtures/node-answers.json): what this VFT
//! program answers to the client's probe (both Sails dialects), serialised as the node's
//! gear_calculateReplyForHandle serialises it: data, not gas (which moves with the build).
//! The Node suites and the main crate's tests have no program to run; they replay these bytes.
//! `X402_VFT_FIXTURES=write cargo test --test fixtures` rewrites the file.

mod support;

use support::*;
use x402_vara_wasm::amount::U256;
use x402_vara_wasm::vara::vft;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/node-answers.json");

#[test]
fn the_replayed_node_answers_are_this_programs() {
    let world = World::new(&[(ALICE, U256::from(5_000_000u64))]);
    let answers: Vec<serde_json::Value> = vft::probe(&ALICE)
        .into_iter()
        .map(|payload| {
            let info = world.query(TOKEN, payload.clone());
            serde_json::json!({"payload": format!("0x{}", hex(&payload)), "answer": info})
        })
        .collect();
    let fixture = serde_json::json!({
        "about": "Answers of the awesome-sails 0.3 VFT program in tests/vft (gtest) to x402-vara-wasm's token probe from //Alice, who holds 5 WUSDC (6 decimals), as gear_calculateReplyForHandle serialises them. Written by tests/vft/tests/fixtures.rs.",
        "program": format!("0x{}", hex(&TOKEN)),
        "payer": format!("0x{}", hex(&ALICE)),
        "answers": answers,
    });
    let text = serde_json::to_string_pretty(&fixture).unwrap() + "\n";
    if std::env::var("X402_VFT_FIXTURES").as_deref() == Ok("write") {
        std::fs::write(PATH, &text).unwrap();
    }
    let stored = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(stored == text, "{PATH} is stale: rerun with X402_VFT_FIXTURES=write");
}
