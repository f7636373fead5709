//! The token payments x402-vara-wasm signs, executed by a real VFT program: gear-foundation's
//! awesome-sails 0.3 services on sails-rs 1.0, built to Gear wasm and run by gtest (Gear's
//! executor and pallet-gear's cost schedule). The client builds each payment exactly as for a
//! server, against a node whose Gear calls this program answers (tests/support); what it signed
//! is read back from the signed call and sent to the program as the payer.

mod support;

use sails_rs::Decode;
use sails_rs::meta::{Identifiable, SailsMessageHeader};
use support::*;
use x402_vara_wasm::ErrorCode;
use x402_vara_wasm::amount::U256;
use x402_vara_wasm::payment::{BuildOptions, GasLimit, NoPrompt};
use x402_vara_wasm::vara::chain::ChainClient;
use x402_vara_wasm::vara::vft::{self, Dialect, Method};

const WUSDC: u64 = 1_000_000; // 6 decimals

fn units(n: u64) -> U256 {
    U256::from(n)
}

/// What a program's error reply says (Sails 1.0: a header, then the message as a SCALE string).
fn error_text(payload: &[u8]) -> String {
    let (_, body) = header_reply(payload);
    String::decode(&mut &body[..]).unwrap_or_else(|_| format!("{body:02x?}"))
}

/// The header and body of a Sails 1.0 reply.
fn header_reply(payload: &[u8]) -> (SailsMessageHeader, Vec<u8>) {
    let input = &mut &payload[..];
    let header = SailsMessageHeader::decode(input).expect("a Sails 1.0 reply");
    (header, input.to_vec())
}

#[test]
fn the_client_names_awesome_sails_services_and_methods_as_sails_does() {
    assert_eq!(vft::VFT_INTERFACE, VftService::INTERFACE_ID.0);
    assert_eq!(vft::VFT_METADATA_INTERFACE, MetadataService::INTERFACE_ID.0);
    for (method, ours) in [
        (Method::Transfer, call::<VftService>("Transfer", ())),
        (Method::BalanceOf, call::<VftService>("BalanceOf", ())),
        (Method::Decimals, call::<MetadataService>("Decimals", ())),
        (Method::Name, call::<MetadataService>("Name", ())),
        (Method::Symbol, call::<MetadataService>("Symbol", ())),
    ] {
        assert_eq!(vft::call(Dialect::Header, method, &[]), ours, "{method:?}");
    }
}

#[test]
fn a_signed_payment_moves_exactly_the_amount_and_the_program_replies_vft_transfer() {
    let minted = units(5 * WUSDC);
    let holders = vec![(ALICE, minted)];
    let world = World::new(&holders);
    let price = units(1_500_000); // 1.5 WUSDC
    let req = requirement(TOKEN, price);
    let node = Node::new(&world);
    let payload = vft::transfer_payload(Dialect::Header, &BOB, price);

    let consent = Recorded::default();
    let signed = alice_pays(&ChainClient::new(), &node, &req, &BuildOptions::default(), &consent).unwrap();
    let sent = send_message_of(&signed);
    assert_eq!(sent.destination, TOKEN, "the requirement's asset is what is called");
    assert_eq!(sent.value, 0);
    assert!(sent.keep_alive);
    assert_eq!(sent.payload, payload, "a Sails 1.0 Vft/Transfer(payTo, amount)");
    let min_limit = world.min_gas_limit(TOKEN, ALICE, &payload);
    assert_eq!(sent.gas_limit, min_limit * 12 / 10, "the node's estimate + 20%");

    // What the payer was shown, and what the receipt says, in the token's units.
    let token = serde_json::json!({"symbol": "WUSDC", "name": "Bridged USD Coin", "decimals": 6, "amount": "1.5"});
    let preview = serde_json::to_value(consent.0.borrow().as_ref().unwrap()).unwrap();
    assert_eq!(preview["token"], token);
    assert_eq!(serde_json::to_value(signed.summary.to_json()).unwrap()["token"], token);

    let reply = world.send(sent.destination, ALICE, sent.payload, Some(sent.gas_limit));
    assert!(reply.ok, "{}", String::from_utf8_lossy(&reply.payload));
    let (header, body) = header_reply(&reply.payload);
    assert_eq!(header.interface_id(), VftService::INTERFACE_ID);
    assert_eq!(header.entry_id(), entry_id::<VftService>("Transfer"));
    assert_eq!(bool::decode(&mut &body[..]), Ok(true), "Vft/Transfer returned true");
    assert_eq!(world.balance(TOKEN, BOB), price, "payTo rose by exactly the amount");
    assert_eq!(world.balance(TOKEN, ALICE), minted - price, "the payer fell by it");
    println!("transfer: {} gas burned, signed gas limit {}", reply.gas_burned, sent.gas_limit);
}

#[test]
fn the_reference_payload_is_taken_as_a_success_and_moves_nothing() {
    // Sails 0.x addressing (SCALE "Vft", "Transfer"), what x402-vara and this client signed
    // before: a Sails 1.0 program finds no header, runs nothing and auto-replies success.
    let world = World::new(&[(ALICE, units(5 * WUSDC))]);
    let named = vft::transfer_payload(Dialect::Named, &BOB, units(WUSDC));
    let reply = world.send(TOKEN, ALICE, named, None);
    assert!(reply.ok, "a success reply");
    assert!(reply.payload.is_empty(), "an empty auto-reply");
    assert_eq!(world.balance(TOKEN, BOB), U256::zero(), "no token moved");
}

#[test]
fn the_largest_amount_the_program_holds_is_paid_exactly_and_u256_max_is_refused_before_signing() {
    // awesome-sails keeps a balance in 10 bytes: 2^80 - 1 is the most anyone can hold.
    let most = (U256::one() << 80) - 1;
    let holders = vec![(ALICE, most)];
    let world = World::new(&holders);
    let node = Node::new(&world);
    let chain = ChainClient::new();
    let signed = alice_pays(&chain, &node, &requirement(TOKEN, most), &BuildOptions::default(), &NoPrompt).unwrap();
    let sent = send_message_of(&signed);
    let reply = world.send(sent.destination, ALICE, sent.payload, Some(sent.gas_limit));
    assert!(reply.ok, "{}", String::from_utf8_lossy(&reply.payload));
    assert_eq!((world.balance(TOKEN, BOB), world.balance(TOKEN, ALICE)), (most, U256::zero()));

    // U256::MAX and U256::MAX - 1: the client says the payer cannot hold them, and signs nothing.
    for amount in [U256::MAX, U256::MAX - 1] {
        let e =
            alice_pays(&chain, &node, &requirement(TOKEN, amount), &BuildOptions::default(), &NoPrompt).unwrap_err();
        assert_eq!(e.code, ErrorCode::InsufficientBalance, "{e}");
        assert!(e.message.contains(&format!("({amount} in the smallest unit)")), "{e}");
        // The same bytes sent anyway reach the program intact: it refuses the amount itself.
        let reply = world.send(TOKEN, BOB, vft::transfer_payload(Dialect::Header, &ALICE, amount), None);
        assert!(!reply.ok);
        assert_eq!(error_text(&reply.payload), "mathematical overflow", "{amount}");
        assert_eq!(world.balance(TOKEN, ALICE), U256::zero());
    }
}

#[test]
fn a_payer_short_of_tokens_is_told_before_signing_and_the_program_would_refuse() {
    let holders = vec![(ALICE, units(WUSDC))];
    let world = World::new(&holders);
    let node = Node::new(&world);
    let price = units(1_500_000);
    let chain = ChainClient::new();
    // Cold (the program asked what it is) and warm (its balance read with the gas estimate).
    for attempt in ["cold", "warm"] {
        let e = alice_pays(&chain, &node, &requirement(TOKEN, price), &BuildOptions::default(), &NoPrompt).unwrap_err();
        assert_eq!(e.code, ErrorCode::InsufficientBalance, "{attempt}: {e}");
        assert!(
            e.message.contains("the payer holds 1 WUSDC (1000000 in the smallest unit)")
                && e.message.contains("below the 1.5 WUSDC (1500000 in the smallest unit) asked"),
            "{attempt}: {e}"
        );
        if attempt == "cold" {
            // A paid small amount caches the program's facts; the next payment is warm.
            let small = requirement(TOKEN, units(1));
            alice_pays(&chain, &node, &small, &BuildOptions::default(), &NoPrompt).unwrap();
        }
    }
    let seen = node.seen.borrow();
    let probes = seen.iter().filter(|m| *m == "gear_calculateReplyForHandle").count();
    assert_eq!(probes, 11 + 1 + 1, "one probe of 11 queries, then the balance beside each gas estimate");
    drop(seen);

    // The program's own answer to the same payment.
    let reply = world.send(TOKEN, ALICE, vft::transfer_payload(Dialect::Header, &BOB, price), None);
    assert!(!reply.ok, "an error reply");
    assert_eq!(error_text(&reply.payload), "insufficient balance");
    assert_eq!(world.balance(TOKEN, ALICE), units(WUSDC), "nothing moved");
}

#[test]
fn a_wrong_program_id_is_refused_before_signing() {
    let world = World::new(&[(ALICE, units(5 * WUSDC))]);
    let other: [u8; 32] = [0xee; 32];
    world.deploy(Sails::V1, other, "Bridged Tether USD", "WUSDT", 6);
    let node = Node::new(&world);
    let chain = ChainClient::new();
    let opts = BuildOptions::default();

    // No program at all: the node cannot run the probe (its words are not reproduced here).
    let nowhere = alice_pays(&chain, &node, &requirement([0x77; 32], units(WUSDC)), &opts, &NoPrompt).unwrap_err();
    assert_eq!(nowhere.code, ErrorCode::RpcError, "{nowhere}");
    // Another token the payer does not hold.
    let e = alice_pays(&chain, &node, &requirement(other, units(WUSDC)), &opts, &NoPrompt).unwrap_err();
    assert_eq!(e.code, ErrorCode::InsufficientBalance, "{e}");
    assert!(e.message.contains("holds 0 WUSDT (0 in the smallest unit)"), "{e}");
    // Bob's account as the asset: not a program either.
    let e = alice_pays(&chain, &node, &requirement(BOB, units(WUSDC)), &opts, &NoPrompt).unwrap_err();
    assert_eq!(e.code, ErrorCode::RpcError, "{e}");

    // On chain, WUSDC's payment sent to WUSDT's program is refused by it; nothing moves.
    let reply = world.send(other, ALICE, vft::transfer_payload(Dialect::Header, &BOB, units(WUSDC)), None);
    assert!(!reply.ok);
    assert_eq!(error_text(&reply.payload), "insufficient balance");
    assert_eq!((world.balance(other, BOB), world.balance(TOKEN, BOB)), (U256::zero(), U256::zero()));
}

#[test]
fn gas_burned_by_a_transfer_against_calculate_and_max() {
    // Each row: the state a payment meets; the same 1.5 WUSDC payment from Alice to Bob.
    let price = units(1_500_000);
    let many: Holders = (0..2000u32).map(|i| (holder(i), units(WUSDC))).collect();
    let scenarios: Vec<(&str, Holders)> = vec![
        ("payTo new, payer keeps a balance", vec![(ALICE, units(5 * WUSDC))]),
        ("payTo holds already", vec![(ALICE, units(5 * WUSDC)), (BOB, units(WUSDC))]),
        ("payer pays all it holds", vec![(ALICE, price)]),
        ("payer pays all, payTo holds", vec![(ALICE, price), (BOB, units(WUSDC))]),
        ("2000 other holders", [vec![(ALICE, units(5 * WUSDC))], many].concat()),
    ];
    let payload = vft::transfer_payload(Dialect::Header, &BOB, price);
    let mut needed = Vec::new();
    println!("{:<36} {:>13} {:>13}", "state", "burned", "min_limit");
    for (name, holders) in &scenarios {
        let (holders, message) = (holders.clone(), payload.clone());
        let (burned, min_limit) = std::thread::spawn(move || {
            let world = World::new(&holders);
            let min_limit = world.min_gas_limit(TOKEN, ALICE, &message);
            (world.send(TOKEN, ALICE, message, Some(min_limit)).gas_burned, min_limit)
        })
        .join()
        .unwrap();
        println!("{name:<36} {burned:>13} {min_limit:>13}");
        needed.push(min_limit);
    }
    let (least, most) = (*needed.iter().min().unwrap(), *needed.iter().max().unwrap());
    let metadata =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/vara-recent.metadata.scale")).unwrap();
    let block_limit = x402_vara_wasm::vara::metadata::decode(&metadata).unwrap().block_gas_limit.unwrap();
    println!(
        "spread of min_limit between states: {:.1}% (most / least - 1)",
        (most as f64 / least as f64 - 1.0) * 100.0
    );
    println!("'calculate' from the least: {} (+20%); covers the most: {}", least * 12 / 10, least * 12 / 10 >= most);
    println!("'max' (block gas limit): {block_limit} = {:.0} x the most needed", block_limit as f64 / most as f64);
    assert!(least * 12 / 10 >= most, "the default margin covers every state measured here");

    // An estimate taken in the cheapest state, run in the dearest: without a margin the
    // message runs out of gas (the fee paid, no token moved); with the default 20% it pays.
    let dearest = &scenarios[needed.iter().position(|g| *g == most).unwrap()].1;
    assert!(!alice_sends_in(dearest.clone(), payload.clone(), Some(least)).ok, "the estimate alone is not enough");
    let with_margin = alice_sends_in(dearest.clone(), payload, Some(least * 12 / 10));
    assert!(with_margin.ok, "{}", String::from_utf8_lossy(&with_margin.payload));
}

fn holder(i: u32) -> [u8; 32] {
    let mut who = [0x42; 32];
    who[..4].copy_from_slice(&i.to_le_bytes());
    who
}

#[test]
fn a_node_without_gear_rpc_gets_the_reference_dialect() {
    // A node that does not serve gear_calculateReplyForHandle answers "Method not found" (so
    // does chopsticks, the local chain, over HTTP without the -32601 code): the client cannot
    // ask the program and signs what x402-vara signs (Sails 0.x addressing).
    struct NoGear<'a>(Node<'a>);
    impl x402_vara_wasm::vara::rpc::Transport for NoGear<'_> {
        async fn post_json(&self, _url: &str, body: String) -> x402_vara_wasm::Result<String> {
            let request: serde_json::Value = serde_json::from_str(&body).unwrap();
            let answer = |c: &serde_json::Value| match c["method"] == "gear_calculateReplyForHandle" {
                true => serde_json::json!({"jsonrpc": "2.0", "id": c["id"],
                    "error": {"message": "Method not found: gear_calculateReplyForHandle"}}),
                false => self.0.answer(c),
            };
            let answers = match &request {
                serde_json::Value::Array(calls) => serde_json::Value::Array(calls.iter().map(answer).collect()),
                one => answer(one),
            };
            Ok(answers.to_string())
        }
    }
    let world = World::new(&[(ALICE, units(WUSDC))]);
    let node = NoGear(Node::new(&world));
    let chain = ChainClient::new();
    for gas_limit in [GasLimit::Max, GasLimit::Calculate { margin_percent: 20 }] {
        let opts = BuildOptions { gas_limit, ..BuildOptions::default() };
        let signed = alice_pays(&chain, &node, &requirement(TOKEN, units(WUSDC)), &opts, &NoPrompt).unwrap();
        assert_eq!(send_message_of(&signed).payload, vft::transfer_payload(Dialect::Named, &BOB, units(WUSDC)));
        let token = serde_json::to_value(signed.summary.to_json()).unwrap()["token"].clone();
        assert_eq!(token["symbol"], serde_json::Value::Null, "nothing read from the program");
        assert_eq!(token["amount"], "1", "the server's extra.decimals");
    }
}
