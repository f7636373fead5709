//! The chain watcher against real blocks of the Vara runtime (spec 1000 under chopsticks,
//! recorded by tests/support/make-event-fixtures.mjs): a transfer that executed, one the
//! chain failed, payments whose nonce another extrinsic used, and payments whose era ended.
//!
//! No node runs in `cargo test`: a scripted transport serves those recorded blocks (their
//! extrinsics and `System.Events` bytes exactly as the runtime wrote them). The Node suites
//! confirm payments against the running chain.

#![cfg(not(target_arch = "wasm32"))]

use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use x402_vara_wasm::ledger::{Entry, Ledger, Stage};
use x402_vara_wasm::vara::address::AccountId;
use x402_vara_wasm::vara::chain::ChainClient;
use x402_vara_wasm::vara::events::{dispatch_of, Dispatch};
use x402_vara_wasm::vara::hashing::blake2_256;
use x402_vara_wasm::vara::metadata;
use x402_vara_wasm::vara::network::{Endpoint, Network};
use x402_vara_wasm::vara::rpc::Transport;
use x402_vara_wasm::vara::watch::{Watched, Watcher};
use x402_vara_wasm::Result;

const GENESIS: &str = "0x4545454545454545454545454545454545454545454545454545454545454545";
const ALICE_PUBLIC: &str = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

struct Recorded {
    number: u32,
    hash: String,
    extrinsics: Vec<String>,
    events: String,
}

fn fixture() -> (Vec<Recorded>, Vec<u8>) {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/events-1000.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let blocks = v["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| Recorded {
            number: b["number"].as_u64().unwrap() as u32,
            hash: b["hash"].as_str().unwrap().into(),
            extrinsics: b["extrinsics"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect(),
            events: b["events"].as_str().unwrap().into(),
        })
        .collect();
    let metadata =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/vara-1000.metadata.scale")).unwrap();
    (blocks, metadata)
}

fn hash_of(extrinsic_hex: &str) -> [u8; 32] {
    blake2_256(&hex::decode(extrinsic_hex.trim_start_matches("0x")).unwrap())
}

/// A node serving the recorded blocks (others are empty blocks), Alice's nonce, and a head
/// the test moves.
struct Chain {
    metadata_hex: String,
    blocks: BTreeMap<u32, Recorded>,
    best: Cell<u32>,
    alice_nonce: Cell<u32>,
    /// Alice's nonce when read at a block hash (the head), when it differs from the latest.
    alice_nonce_at_head: Cell<Option<u32>>,
    round_trips: Cell<u32>,
    calls: RefCell<Vec<String>>,
}

impl Chain {
    fn new() -> Self {
        let (blocks, metadata) = fixture();
        Chain {
            metadata_hex: format!("0x{}", hex::encode(metadata)),
            blocks: blocks.into_iter().map(|b| (b.number, b)).collect(),
            best: Cell::new(4),
            alice_nonce: Cell::new(2),
            alice_nonce_at_head: Cell::new(None),
            round_trips: Cell::new(0),
            calls: RefCell::new(vec![]),
        }
    }

    fn block_hash(&self, n: u32) -> String {
        self.blocks.get(&n).map(|b| b.hash.clone()).unwrap_or_else(|| format!("0x{:064x}", n))
    }

    fn answer(&self, call: &Value) -> Value {
        let method = call["method"].as_str().unwrap();
        self.calls.borrow_mut().push(method.to_string());
        let p = &call["params"];
        let result = match method {
            "chain_getBlockHash" => match p[0].as_u64().unwrap() {
                0 => json!(GENESIS),
                n => json!(self.block_hash(n as u32)),
            },
            "chain_getHeader" => {
                json!({ "number": format!("0x{:x}", self.best.get()), "parentHash": format!("0x{}", "11".repeat(32)) })
            }
            "chain_getBlock" => {
                let hash = p[0].as_str().unwrap();
                let extrinsics =
                    self.blocks.values().find(|b| b.hash == hash).map(|b| b.extrinsics.clone()).unwrap_or_default();
                json!({ "block": { "header": {}, "extrinsics": extrinsics } })
            }
            "state_getRuntimeVersion" => json!({ "specVersion": 1000, "transactionVersion": 1 }),
            "system_accountNextIndex" => json!(self.alice_nonce.get()),
            "state_getMetadata" => json!(self.metadata_hex),
            "state_getStorage" => {
                let key = p[0].as_str().unwrap();
                if key.ends_with(ALICE_PUBLIC) {
                    let at_head = p.get(1).filter(|h| h.is_string()).and(self.alice_nonce_at_head.get());
                    let mut info = at_head.unwrap_or(self.alice_nonce.get()).to_le_bytes().to_vec();
                    info.extend_from_slice(&[0u8; 76]);
                    json!(format!("0x{}", hex::encode(info)))
                } else {
                    let at = p[1].as_str().unwrap();
                    json!(self.blocks.values().find(|b| b.hash == at).map(|b| b.events.clone()).unwrap())
                }
            }
            other => panic!("unexpected RPC {other}"),
        };
        json!({ "jsonrpc": "2.0", "id": call["id"], "result": result })
    }
}

impl Transport for Chain {
    async fn post_json(&self, _url: &str, body: String) -> Result<String> {
        self.round_trips.set(self.round_trips.get() + 1);
        let request: Value = serde_json::from_str(&body).unwrap();
        let answer = match &request {
            Value::Array(calls) => Value::Array(calls.iter().map(|c| self.answer(c)).collect()),
            call => self.answer(call),
        };
        Ok(answer.to_string())
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut cx = Context::from_waker(Waker::noop());
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn endpoint() -> Endpoint {
    Endpoint::new(Network::VaraTestnet, &["http://local".to_string()], Some(GENESIS)).unwrap()
}

fn alice() -> AccountId {
    AccountId::from_hex(&format!("0x{ALICE_PUBLIC}")).unwrap()
}

fn entry(id: &str) -> Entry {
    serde_json::from_value(json!({
        "id": id, "stage": "answered", "method": "GET", "url": "http://shop.test/paid", "origin": "http://shop.test",
        "idempotencyKey": null, "network": "vara-testnet", "networkId": "polkadot:525639f713f397dcf839bd022cd821f3",
        "asset": null, "amount": "2000000000000", "payTo": "x", "payer": "y", "nonce": 0, "txHash": null,
        "validFrom": 1, "validUntil": 64, "answer": null, "chain": null, "notes": [], "createdMs": 0.0, "updatedMs": 0.0
    }))
    .unwrap()
}

fn watched(ledger: &Rc<Ledger>, id: &str, nonce: u32, tx_hash: [u8; 32], valid_until: u64) -> Watched {
    ledger.insert(entry(id));
    Watched { ledger: ledger.clone(), entry_id: id.into(), payer: alice(), nonce, tx_hash, valid_from: 1, valid_until }
}

#[test]
fn dispatch_outcomes_are_read_from_real_events() {
    let (blocks, metadata) = fixture();
    let facts = metadata::decode(&metadata).unwrap();
    let events = |b: &Recorded| hex::decode(b.events.trim_start_matches("0x")).unwrap();
    let (ok, failed) = (&blocks[0], &blocks[1]);
    // Extrinsic 0 is the block's timestamp inherent; 1 is the transfer.
    assert_eq!(dispatch_of(&facts, &events(ok), 0).unwrap(), Some(Dispatch::Success));
    assert_eq!(dispatch_of(&facts, &events(ok), 1).unwrap(), Some(Dispatch::Success));
    assert_eq!(dispatch_of(&facts, &events(failed), 1).unwrap(), Some(Dispatch::Failed));
    assert_eq!(dispatch_of(&facts, &events(ok), 2).unwrap(), None);
    // Cut or padded events are an error, never a guess.
    let bytes = events(ok);
    assert!(dispatch_of(&facts, &bytes[..bytes.len() - 3], 1).is_err());
    let mut padded = bytes.clone();
    padded.push(0);
    assert!(dispatch_of(&facts, &padded, 1).is_err());
}

#[test]
fn executed_failed_and_dead_payments_are_judged_by_the_chain() {
    let node = Chain::new();
    let client = ChainClient::new();
    let ep = endpoint();
    let watcher = Watcher::default();
    let ledger = Ledger::new();
    let ok = hash_of(&node.blocks[&3].extrinsics[1]);
    let failed = hash_of(&node.blocks[&4].extrinsics[1]);
    watcher.watch(watched(&ledger, "ok", 0, ok, 64));
    watcher.watch(watched(&ledger, "failed", 1, failed, 64));
    // A payment of ours that lost its nonce to the one that executed.
    watcher.watch(watched(&ledger, "conflict", 0, [7; 32], 64));
    block_on(watcher.tick(&client, &node, &ep, 10.0)).unwrap();
    let e = ledger.get("ok").unwrap();
    assert_eq!(e.stage, Stage::Executed);
    let v = e.chain.unwrap();
    assert_eq!((v.status.as_str(), v.block_number, v.index), ("executed", Some(3), Some(1)));
    assert_eq!(v.block_hash.as_deref(), Some(node.blocks[&3].hash.as_str()));
    assert_eq!(ledger.get("failed").unwrap().chain.unwrap().status, "failed");
    // In no block of its era, and the nonce read at the head itself has passed it.
    let c = ledger.get("conflict").unwrap();
    assert_eq!((c.stage, c.chain.unwrap().reason.as_deref()), (Stage::Dead, Some("nonce-used")));
    assert_eq!(watcher.pending_count(), 0);
}

#[test]
fn a_nonce_read_ahead_of_the_head_does_not_make_a_payment_dead() {
    let node = Chain::new();
    let client = ChainClient::new();
    let ep = endpoint();
    let watcher = Watcher::default();
    let ledger = Ledger::new();
    // Nonce 2 is passed by the latest state, but not at the head read in the same batch
    // (a block landed in between): not dead, not yet.
    node.alice_nonce.set(3);
    node.alice_nonce_at_head.set(Some(2));
    watcher.watch(watched(&ledger, "next", 2, [5; 32], 64));
    block_on(watcher.tick(&client, &node, &ep, 1.0)).unwrap();
    assert_eq!(ledger.get("next").unwrap().stage, Stage::Answered);
    node.alice_nonce_at_head.set(None);
    block_on(watcher.tick(&client, &node, &ep, 2.0)).unwrap();
    assert_eq!(ledger.get("next").unwrap().stage, Stage::Dead);
}

#[test]
fn a_payment_whose_era_ended_unincluded_is_dead() {
    let node = Chain::new();
    let client = ChainClient::new();
    let ep = endpoint();
    let watcher = Watcher::default();
    let ledger = Ledger::new();
    watcher.watch(watched(&ledger, "late", 2, [9; 32], 6));
    block_on(watcher.tick(&client, &node, &ep, 1.0)).unwrap();
    assert_eq!(ledger.get("late").unwrap().stage, Stage::Answered, "still within its era");
    node.best.set(7);
    block_on(watcher.tick(&client, &node, &ep, 2.0)).unwrap();
    let e = ledger.get("late").unwrap();
    assert_eq!((e.stage, e.chain.unwrap().reason.as_deref()), (Stage::Dead, Some("era-ended")));
}

#[test]
fn one_read_per_new_block_serves_every_pending_payment() {
    let node = Chain::new();
    let client = ChainClient::new();
    let ep = endpoint();
    let watcher = Watcher::default();
    let ledger = Ledger::new();
    node.alice_nonce.set(0);
    for i in 0..100u32 {
        watcher.watch(watched(&ledger, &format!("p{i}"), i, [i as u8; 32], 1_000));
    }
    let before = node.round_trips.get();
    for best in 5..15 {
        node.best.set(best);
        block_on(watcher.tick(&client, &node, &ep, best as f64)).unwrap();
    }
    let per_block = (node.round_trips.get() - before) as f64 / 10.0;
    println!("chain reads per block with 100 pending payments (none included yet): {per_block}");
    assert_eq!(per_block, 1.0);
    // The chain passes the first ten nonces: blocks are read once each, then each block once.
    node.alice_nonce.set(10);
    let before = node.round_trips.get();
    block_on(watcher.tick(&client, &node, &ep, 100.0)).unwrap();
    block_on(watcher.tick(&client, &node, &ep, 101.0)).unwrap();
    println!("round trips for the first scan after nonces passed: {}", node.round_trips.get() - before);
    assert!(node.round_trips.get() - before <= 6);
}
