//! The same payments against the token on Sails 0.x (tests/vft/named: awesome-sails 0.2 on
//! sails-rs 0.10), which addresses methods by name, as the tokens deployed on Vara (the
//! bridge's WUSDC and WUSDT, sails-rs 0.9) and the x402-vara reference do.

mod support;

use sails_rs::{Decode, Encode};
use support::*;
use x402_vara_wasm::amount::U256;
use x402_vara_wasm::payment::BuildOptions;
use x402_vara_wasm::vara::chain::ChainClient;
use x402_vara_wasm::vara::vft::{self, Dialect};

#[test]
fn a_named_payment_moves_exactly_the_amount_and_the_program_replies_vft_transfer() {
    let minted = U256::from(5_000_000u64);
    let world = World::of(Sails::V0, &[(ALICE, minted)]);
    let price = U256::from(1_500_000u64);
    let node = Node::new(&world);
    let consent = Recorded::default();
    let signed =
        alice_pays(&ChainClient::new(), &node, &requirement(TOKEN, price), &BuildOptions::default(), &consent).unwrap();
    let sent = send_message_of(&signed);
    assert_eq!(sent.destination, TOKEN);
    assert_eq!((sent.value, sent.keep_alive), (0, true));
    // SCALE "Vft", "Transfer", payTo, U256: built here with the codec, not the client.
    assert_eq!(sent.payload, ("Vft", "Transfer", BOB, sails_u256(price)).encode());
    let min_limit = world.min_gas_limit(TOKEN, ALICE, &sent.payload);
    assert_eq!(sent.gas_limit, min_limit * 12 / 10, "the node's estimate + 20%");
    // awesome-sails 0.2 answers its metadata on VftMetadata, not on Vft.
    let token = serde_json::json!({"symbol": "WUSDC", "name": "Bridged USD Coin", "decimals": 6, "amount": "1.5"});
    assert_eq!(serde_json::to_value(consent.0.borrow().as_ref().unwrap()).unwrap()["token"], token);

    let reply = world.send(sent.destination, ALICE, sent.payload, Some(sent.gas_limit));
    assert!(reply.ok, "{}", String::from_utf8_lossy(&reply.payload));
    let (service, method, done) = <(String, String, bool)>::decode(&mut &reply.payload[..]).unwrap();
    assert_eq!((service.as_str(), method.as_str(), done), ("Vft", "Transfer", true));
    assert_eq!(world.balance(TOKEN, BOB), price, "payTo rose by exactly the amount");
    assert_eq!(world.balance(TOKEN, ALICE), minted - price, "the payer fell by it");
    println!("named transfer: min_limit {min_limit}, {} gas burned", reply.gas_burned);
}

#[test]
fn a_header_payment_to_a_sails_0_program_fails_and_moves_nothing() {
    // The other direction of the dialect mix-up: the Sails 0.x program cannot read a header,
    // panics, and the message fails (the fee is paid, nothing moves).
    let world = World::of(Sails::V0, &[(ALICE, U256::from(5_000_000u64))]);
    let reply = world.send(TOKEN, ALICE, vft::transfer_payload(Dialect::Header, &BOB, U256::one()), None);
    assert!(!reply.ok);
    assert_eq!(world.balance(TOKEN, BOB), U256::zero());
}
