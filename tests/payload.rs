//! Native integration tests of the payload builder against a real Vara metadata blob
//! (metadata V15 of a recent runtime, see tests/fixtures/README.md).
//!
//! No node runs in `cargo test`: a scripted transport answers the JSON-RPC calls with
//! canned but realistic values. The Node suites check the same payloads against
//! polkadot-js and against a real Vara runtime.

#![cfg(not(target_arch = "wasm32"))]

use parity_scale_codec::Encode;
use serde_json::{json, Value};
use std::cell::RefCell;
use x402_vara_wasm::amount::U256;
use x402_vara_wasm::inspect;
use x402_vara_wasm::payment::{build_payment, Books, BuildOptions, GasLimit, NeverAbort, NoPrompt, Payer, Signed};
use x402_vara_wasm::proto::v1::{self, PaymentPayload};
use x402_vara_wasm::requirements::Requirement;
use x402_vara_wasm::signer::keypair::Keypair;
use x402_vara_wasm::signer::Signer;
use x402_vara_wasm::vara::calls::Layout;
use x402_vara_wasm::vara::chain::ChainClient;
use x402_vara_wasm::vara::extrinsic::UnsignedPayload;
use x402_vara_wasm::vara::metadata::{self, Additional, Extra};
use x402_vara_wasm::vara::metadata_hash::Mode as MetadataHashMode;
use x402_vara_wasm::vara::network::{Endpoint, Network};
use x402_vara_wasm::vara::rpc::Transport;
use x402_vara_wasm::{ErrorCode, Result};

const GENESIS: &str = "0x525639f713f397dcf839bd022cd821f367ebcf179de7b9253531f8adbe5436d6";
const BOB: &str = "kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq";

fn metadata_bytes() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/vara-recent.metadata.scale")).unwrap()
}

const ALICE_PUBLIC: &str = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

/// A SCALE `AccountInfo` (four u32 counters, the nonce first, then free, reserved, frozen,
/// flags as u128).
fn account_info(free: u128, nonce: u32) -> String {
    let mut bytes = nonce.to_le_bytes().to_vec();
    bytes.extend_from_slice(&[0u8; 12]);
    bytes.extend_from_slice(&free.to_le_bytes());
    bytes.extend_from_slice(&[0u8; 48]);
    format!("0x{}", hex::encode(bytes))
}

/// Answers JSON-RPC like a node at block 1,234,567 would; counts round trips.
struct ScriptedNode {
    metadata_hex: String,
    /// //Alice's nonce: the pool is empty, so the node's next index and her state nonce.
    nonce: std::cell::Cell<u32>,
    alice_free: std::cell::Cell<u128>,
    fee: u128,
    account_exists: bool,
    gas_min_limit: u64,
    block_number: u32,
    spec_version: std::cell::Cell<u32>,
    requests: RefCell<Vec<Value>>,
}

impl ScriptedNode {
    fn new() -> Self {
        ScriptedNode {
            metadata_hex: format!("0x{}", hex::encode(metadata_bytes())),
            nonce: std::cell::Cell::new(7),
            alice_free: std::cell::Cell::new(1_000_000 * 10u128.pow(12)),
            fee: 10u128.pow(10),
            account_exists: true,
            gas_min_limit: 1_000_000_000,
            block_number: 1_234_567,
            spec_version: std::cell::Cell::new(20000),
            requests: RefCell::new(vec![]),
        }
    }

    fn answer(&self, call: &Value) -> Value {
        let result = match call["method"].as_str().unwrap() {
            "chain_getBlockHash" => json!(GENESIS),
            "state_getRuntimeVersion" => {
                json!({"specName": "vara", "specVersion": self.spec_version.get(), "transactionVersion": 1})
            }
            "state_getMetadata" => json!(self.metadata_hex),
            "chain_getHeader" => json!({
                "parentHash": format!("0x{}", "11".repeat(32)), "number": format!("0x{:x}", self.block_number),
                "stateRoot": format!("0x{}", "22".repeat(32)), "extrinsicsRoot": format!("0x{}", "33".repeat(32)),
                "digest": {"logs": ["0x0642414245b50103000000004ffa1e1100000000"]}
            }),
            "system_accountNextIndex" => json!(self.nonce.get()),
            "state_getStorage" => {
                // The payer (//Alice) is funded; other accounts exist when `account_exists`.
                let key = call["params"][0].as_str().unwrap();
                if key.ends_with(ALICE_PUBLIC) {
                    json!(account_info(self.alice_free.get(), self.nonce.get()))
                } else if self.account_exists {
                    json!(account_info(10u128.pow(12), 0))
                } else {
                    Value::Null
                }
            }
            // Metadata V15 for the metadata hash (mode 1 on the public networks).
            "state_call" if call["params"][0] == "Metadata_metadata_at_version" => {
                let bytes = hex::decode(&self.metadata_hex[2..]).unwrap();
                json!(format!("0x{}", hex::encode(Some(bytes).encode())))
            }
            // A RuntimeDispatchInfo: weight, class, then the fee.
            "state_call" if call["params"][0] == "TransactionPaymentApi_query_info" => {
                json!(format!("0x0b00c0a2c4f7060000{}", hex::encode(self.fee.to_le_bytes())))
            }
            "gear_calculateHandleGas" => {
                json!({"min_limit": self.gas_min_limit, "reserved": 0, "burned": 0, "may_be_returned": 0, "waited": false})
            }
            // What a real VFT program (awesome-sails 0.3, run by gtest in tests/vft) answers to
            // the same query from //Alice, who holds 5 WUSDC there.
            "gear_calculateReplyForHandle" => vft_answers()
                .into_iter()
                .find(|a| a["payload"] == call["params"][2])
                .map(|a| a["answer"].clone())
                .unwrap_or_else(|| panic!("no recorded answer to {}", call["params"][2])),
            other => panic!("unexpected RPC {other}"),
        };
        json!({"jsonrpc": "2.0", "id": call["id"], "result": result})
    }
}

impl Transport for ScriptedNode {
    async fn post_json(&self, _url: &str, body: String) -> Result<String> {
        let request: Value = serde_json::from_str(&body).unwrap();
        self.requests.borrow_mut().push(request.clone());
        let answer = match &request {
            Value::Array(calls) => Value::Array(calls.iter().map(|c| self.answer(c)).collect()),
            call => self.answer(call),
        };
        Ok(answer.to_string())
    }
}

/// Node answers recorded from the VFT program by the gtest suite (tests/vft/tests/fixtures.rs).
fn vft_answers() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vft/fixtures/node-answers.json"));
    let fixture: Value = serde_json::from_str(&text.unwrap()).unwrap();
    fixture["answers"].as_array().unwrap().clone()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    // The scripted node never waits, so polling once per step completes.
    use std::task::{Context, Poll, Waker};
    let mut cx = Context::from_waker(Waker::noop());
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn requirement_on(network: &str, amount: &str, asset: Option<String>) -> Requirement {
    let entry = json!({
        "scheme": "exact", "network": network, "maxAmountRequired": amount, "resource": "http://x/paid",
        "payTo": BOB, "maxTimeoutSeconds": 60, "asset": asset
    });
    v1::requirement(&serde_json::from_value(entry).unwrap()).unwrap()
}

fn requirement(amount: &str, asset: Option<String>) -> Requirement {
    requirement_on("vara-testnet", amount, asset)
}

fn endpoint() -> Endpoint {
    Endpoint::new(Network::VaraTestnet, &["http://127.0.0.1:9".to_string()], None).unwrap()
}

/// A payment as a header would carry it (x402 v1).
#[derive(Debug)]
struct Built {
    header: String,
    payload: PaymentPayload,
    summary: inspect::PaymentSummary,
}

/// Pays `req` from //Alice through the scripted node at time `now_ms`, without a prompt.
fn pays_at(
    chain: &ChainClient,
    node: &ScriptedNode,
    endpoint: &Endpoint,
    req: &Requirement,
    opts: &BuildOptions,
    now_ms: f64,
) -> Result<Built> {
    let alice = Keypair::from_suri("//Alice").unwrap();
    let payer = Payer {
        chain,
        transport: node,
        endpoint,
        signer: &alice,
        options: opts,
        abort: &NeverAbort,
        now_ms,
        books: Books::NONE,
    };
    let Signed { exact, summary, .. } = block_on(build_payment(&payer, req, &NoPrompt))?;
    let payload = PaymentPayload::new(req, exact);
    Ok(Built { header: payload.to_header(), payload, summary })
}

/// //Alice pays `req` through the scripted node, on the testnet endpoint, without a prompt.
fn alice_pays(chain: &ChainClient, node: &ScriptedNode, req: &Requirement, opts: &BuildOptions) -> Result<Built> {
    pays_at(chain, node, &endpoint(), req, opts, 0.0)
}

/// Signing in mode 0: the tests that count round trips leave out the metadata hash's own read
/// (`mode_1_on_a_public_network_reads_metadata_v15_once` counts it).
fn mode0() -> BuildOptions {
    BuildOptions { metadata_hash: MetadataHashMode::Never, ..BuildOptions::default() }
}

/// Later than any cached checkpoint stays fresh.
const LATER: f64 = 60_000.0;

#[test]
fn recent_metadata_yields_indices_and_extensions() {
    let facts = metadata::decode(&metadata_bytes()).unwrap();
    assert_eq!(facts.metadata_version, 15);
    let t = &facts.transfer_keep_alive;
    assert_eq!((t.pallet_index, t.call_index), (5, 3));
    assert!(facts.send_message.is_some());
    assert_eq!(
        facts.extension_names(),
        [
            "StakingBlackList",
            "CheckNonZeroSender",
            "CheckSpecVersion",
            "CheckTxVersion",
            "CheckGenesis",
            "CheckMortality",
            "CheckNonce",
            "CheckWeight",
            "ChargeTransactionPayment",
            "CheckMetadataHash"
        ]
    );
    let last = facts.extensions.last().unwrap();
    assert_eq!((last.extra, last.additional), (Extra::MetadataHashMode, Additional::MetadataHash));
    assert!(facts.existential_deposit > 0);
    assert!(facts.block_gas_limit.unwrap() > 0);
}

#[test]
fn native_payment_is_built_signed_and_self_checked_with_no_round_trip_when_warm() {
    let node = ScriptedNode::new();
    let chain = ChainClient::new();
    let req = requirement("1000000000000", None);
    let opts = mode0();
    let built = alice_pays(&chain, &node, &req, &opts).unwrap();
    assert_eq!(node.requests.borrow().len(), 1, "cold: one batch");

    let tx = &built.payload.payload.transaction;
    assert_eq!(tx.nonce, "0x00000007");
    // The era's checkpoint is the best block's parent (1,234,566), whose hash the header holds.
    assert_eq!(tx.block_number, "0x0012d686");
    assert_eq!(tx.block_hash, format!("0x{}", "11".repeat(32)));
    assert_eq!(tx.era, "0x6500");
    assert_eq!(tx.tip, format!("0x{}", "00".repeat(16)));
    assert_eq!(tx.mode, Some(0));
    assert!(tx.method.starts_with("0x050300"), "{}", tx.method);
    assert_eq!(built.summary.amount, U256::from(1_000_000_000_000u64));

    // The signed bytes of a native transfer on this runtime: 119 bytes, not hashed.
    let facts = metadata::decode(&metadata_bytes()).unwrap();
    let unsigned = UnsignedPayload::from_json(tx).unwrap();
    assert_eq!(unsigned.encode(&facts).unwrap().len(), 119);

    // Header key order is the npm reference's.
    let json = String::from_utf8(base64_decode(&built.header)).unwrap();
    assert!(
        json.starts_with(r#"{"x402Version":1,"scheme":"exact","payload":{"transaction":{"specVersion":"#),
        "{json}"
    );
    assert!(json.ends_with(r#""network":"vara-testnet"}"#), "{json}");

    let second = alice_pays(&chain, &node, &req, &opts).unwrap();
    assert_eq!(node.requests.borrow().len(), 1, "warm, fresh checkpoint, tracked nonce: no round trip");
    assert_eq!(second.payload.payload.transaction.nonce, "0x00000008", "the next nonce, from the lane");

    // Past the checkpoint's freshness: one batch of the per-payment values.
    pays_at(&chain, &node, &endpoint(), &req, &opts, LATER).unwrap();
    let requests = node.requests.borrow();
    assert_eq!(requests.len(), 2);
    let methods: Vec<_> =
        requests[1].as_array().unwrap().iter().map(|c| c["method"].as_str().unwrap().to_string()).collect();
    assert_eq!(
        methods,
        [
            "chain_getBlockHash",
            "state_getRuntimeVersion",
            "chain_getHeader",
            "system_accountNextIndex",
            "state_getStorage"
        ]
    );
}

#[test]
fn mode_1_on_a_public_network_reads_metadata_v15_once() {
    let node = ScriptedNode::new();
    let chain = ChainClient::new();
    let req = requirement("1000000000000", None);
    let built = alice_pays(&chain, &node, &req, &BuildOptions::default()).unwrap();
    let tx = &built.payload.payload.transaction;
    assert_eq!(tx.mode, Some(1));
    // @polkadot-api/merkleize-metadata's digest of the fixture (TVARA, 12, SS58 137).
    assert_eq!(tx.metadata_hash.as_deref(), Some("0x2ea68f32dde694ab02346f0e7d88c9a0a76e956f881af0497a5149ac88c6945c"));
    let requests = node.requests.borrow().len();
    assert_eq!(requests, 2, "cold: one batch, then metadata V15 for the digest");
    alice_pays(&chain, &node, &req, &BuildOptions::default()).unwrap();
    pays_at(&chain, &node, &endpoint(), &req, &BuildOptions::default(), LATER).unwrap();
    assert_eq!(node.requests.borrow().len(), requests + 1, "the digest is cached: a warm read only");
    // A node whose V15 metadata is of another runtime than it runs is refused.
    node.spec_version.set(20001);
    let e = pays_at(&chain, &node, &endpoint(), &req, &BuildOptions::default(), 2.0 * LATER).unwrap_err();
    assert_eq!(e.code, ErrorCode::RpcError);
    assert!(e.message.contains("spec version 20000"), "{}", e.message);
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn tampered_headers_fail_the_offline_check() {
    let node = ScriptedNode::new();
    let chain = ChainClient::new();
    let alice = Keypair::from_suri("//Alice").unwrap();
    let req = requirement("5000", None);
    let built = alice_pays(&chain, &node, &req, &BuildOptions::default()).unwrap();
    let state = block_on(chain.chain_state(&node, &endpoint())).unwrap();
    let check = |p: &PaymentPayload| {
        inspect::inspect(&p.payload, Network::VaraTestnet, p.asset.as_deref(), &state, Layout::Pinned)
    };

    let ok = check(&PaymentPayload::from_header(&built.header).unwrap()).unwrap();
    assert_eq!(ok.payer, alice.account().unwrap());
    inspect::matches_requirement(&ok, &req).unwrap();
    assert_eq!(
        inspect::matches_requirement(&ok, &requirement("5001", None)).unwrap_err().code,
        ErrorCode::PaymentMismatch
    );

    let mut tampered = built.payload.clone();
    tampered.payload.transaction.nonce = "0x00000008".into();
    assert_eq!(check(&tampered).unwrap_err().code, ErrorCode::InvalidSignature);
    let mut tampered = built.payload.clone();
    tampered.payload.transaction.signed_extensions.pop();
    assert_eq!(check(&tampered).unwrap_err().code, ErrorCode::MalformedHeader);
    let mut tampered = built.payload.clone();
    tampered.payload.transaction.genesis_hash = format!("0x{}", "45".repeat(32));
    assert_eq!(check(&tampered).unwrap_err().code, ErrorCode::WrongChain);
}

#[test]
fn token_payment_sends_a_sails_transfer_with_calculated_gas() {
    let node = ScriptedNode::new();
    let chain = ChainClient::new();
    let program = format!("0x{}", "ab".repeat(32));
    let req = requirement("1000000", Some(program.clone()));
    let built = alice_pays(&chain, &node, &req, &BuildOptions::default()).unwrap();
    assert_eq!(built.payload.asset.as_deref(), Some(program.as_str()));
    assert_eq!(built.summary.gas_limit, Some(1_200_000_000), "min_limit + 20%");
    let token = built.summary.token.clone().expect("the program was asked");
    assert_eq!((token.symbol.as_deref(), token.decimals), (Some("WUSDC"), Some(6)));
    assert_eq!(token.describe(built.summary.amount), "1 WUSDC (1000000 in the smallest unit)");
    let calls: Vec<_> = node.requests.borrow().iter().flat_map(|r| r.as_array().cloned().unwrap_or_default()).collect();
    let probes = calls.iter().filter(|c| c["method"] == "gear_calculateReplyForHandle").count();
    assert_eq!(probes, 11, "one probe, both Sails dialects, in one batch");
    let facts = metadata::decode(&metadata_bytes()).unwrap();
    let unsigned = UnsignedPayload::from_json(&built.payload.payload.transaction).unwrap();
    let len = unsigned.encode(&facts).unwrap().len();
    assert!(len > 200 && len <= 256, "a VFT send_message is ~216 bytes, got {len}");

    let opts = BuildOptions { gas_limit: GasLimit::Max, ..BuildOptions::default() };
    let built = alice_pays(&chain, &node, &req, &opts).unwrap();
    assert_eq!(built.summary.gas_limit, facts.block_gas_limit);
}

#[test]
fn refuses_payments_the_chain_would_reject_or_that_target_another_chain() {
    let mut node = ScriptedNode::new();
    node.account_exists = false;
    let e = alice_pays(&ChainClient::new(), &node, &requirement("1", None), &BuildOptions::default()).unwrap_err();
    assert_eq!(e.code, ErrorCode::BelowExistentialDeposit);

    let node = ScriptedNode::new();
    let mainnet = Endpoint::new(Network::Vara, &["http://127.0.0.1:9".to_string()], None).unwrap();
    let req = requirement_on("vara", "1", None);
    let e = pays_at(&ChainClient::new(), &node, &mainnet, &req, &BuildOptions::default(), 0.0).unwrap_err();
    assert_eq!(e.code, ErrorCode::WrongChain);
}

#[test]
fn a_signed_extension_with_unknown_data_is_an_error() {
    // Rename CheckNonce (which carries a compact nonce) inside the metadata blob: the
    // builder must refuse rather than guess its encoding.
    let mut bytes = metadata_bytes();
    let needle = "CheckNonce".encode();
    let pos = bytes.windows(needle.len()).position(|w| w == needle.as_slice()).unwrap();
    bytes[pos + 1..pos + needle.len()].copy_from_slice(b"CheckNoncX");
    let e = metadata::decode(&bytes).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnsupportedRuntime);
    assert!(e.message.contains("CheckNoncX"), "{}", e.message);
}

mod sp_core_cross_check {
    //! The same derivations and signatures, checked with Substrate's own sp-core.
    use super::*;
    use sp_core::crypto::{Pair as _, Ss58Codec};
    use sp_core::sr25519;

    #[test]
    fn derivations_match_sp_core() {
        for suri in [
            "//Alice",
            "//Bob//stash",
            "//Alice/soft/1",
            "bottom drive obey lake curtain smoke basket hold race lonely fit walk//hard/soft///pass",
            "0x0000000000000000000000000000000000000000000000000000000000000001//x",
        ] {
            let ours = Keypair::from_suri(suri).unwrap();
            let theirs = sr25519::Pair::from_string(suri, None).unwrap();
            assert_eq!(ours.public_key(), theirs.public().0, "{suri}");
            let address = ours.account().unwrap().to_ss58(137);
            assert_eq!(address, theirs.public().to_ss58check_with_version(137u16.into()), "{suri}");
        }
    }

    #[test]
    fn sp_core_verifies_our_signatures_and_we_verify_theirs() {
        let ours = Keypair::from_suri("//Alice").unwrap();
        let theirs = sr25519::Pair::from_string("//Alice", None).unwrap();
        let msg = b"x402 payment";
        let sig = sr25519::Signature::from_raw(ours.sign_raw(msg));
        assert!(sr25519::Pair::verify(&sig, msg, &theirs.public()));
        let their_sig = theirs.sign(msg);
        assert!(x402_vara_wasm::signer::sr25519::verify(&ours.public_key(), msg, &their_sig.0));
    }
}

#[test]
fn at_block_zero_the_era_is_anchored_at_the_reported_genesis_hash() {
    for best in [0, 1] {
        let mut node = ScriptedNode::new();
        node.block_number = best;
        let built =
            alice_pays(&ChainClient::new(), &node, &requirement("1000", None), &BuildOptions::default()).unwrap();
        assert_eq!(built.payload.payload.transaction.block_hash, GENESIS, "best block {best}");
        assert_eq!(built.payload.payload.transaction.block_number, "0x00000000");
    }
}

#[test]
fn a_small_warm_payment_checks_the_recipient_in_the_same_batch() {
    let node = ScriptedNode::new();
    let chain = ChainClient::new();
    let small = requirement("1000", None); // far below the existential deposit
    alice_pays(&chain, &node, &small, &BuildOptions::default()).unwrap();
    let cold = node.requests.borrow().len();
    alice_pays(&chain, &node, &small, &BuildOptions::default()).unwrap();
    assert_eq!(node.requests.borrow().len(), cold, "the recipient is known to exist: no round trip");
    pays_at(&chain, &node, &endpoint(), &small, &BuildOptions::default(), LATER).unwrap();
    let requests = node.requests.borrow();
    assert_eq!(requests.len(), cold + 1, "stale: one round trip");
    let methods: Vec<_> = requests
        .last()
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["method"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        methods,
        [
            "chain_getBlockHash", // the genesis check, in every batch
            "state_getRuntimeVersion",
            "chain_getHeader",
            "system_accountNextIndex",
            "state_getStorage",
            "state_getStorage"
        ]
    );
}

#[test]
fn a_runtime_upgrade_seen_in_the_warm_batch_refreshes_the_metadata() {
    let node = ScriptedNode::new();
    let chain = ChainClient::new();
    let req = requirement("50000000000000", None);
    alice_pays(&chain, &node, &req, &mode0()).unwrap();
    node.spec_version.set(20001);
    let built = pays_at(&chain, &node, &endpoint(), &req, &mode0(), LATER).unwrap();
    assert_eq!(built.payload.payload.transaction.spec_version, "0x00004e21");
    let requests = node.requests.borrow();
    assert_eq!(requests.len(), 3, "cold batch, warm batch, then the new metadata");
    assert_eq!(requests[2][1]["method"], "state_getMetadata", "after the genesis check");
    drop(requests);
    assert_eq!(block_on(chain.chain_state(&node, &endpoint())).unwrap().spec_version, 20001);
}

/// A payload from //Alice with made-up chain values (a three-byte call, mode 0), for tests
/// of the payload's own encoding.
fn alice_payload(facts: &metadata::RuntimeFacts) -> UnsignedPayload {
    UnsignedPayload {
        address: Keypair::from_suri("//Alice").unwrap().account().unwrap(),
        method: vec![5, 3, 0],
        era: x402_vara_wasm::vara::era::Era::mortal(64, 1000),
        block_hash: [1; 32],
        block_number: 1000,
        genesis_hash: [2; 32],
        nonce: 0,
        tip: 0,
        spec_version: 1,
        transaction_version: 1,
        signed_extensions: facts.extension_names(),
        metadata_hash: None,
        has_mode: true,
    }
}

#[test]
fn payloads_over_256_bytes_are_signed_by_their_blake2_256_hash() {
    let facts = metadata::decode(&metadata_bytes()).unwrap();
    let mut unsigned = UnsignedPayload { method: vec![0u8; 100], ..alice_payload(&facts) };
    let short = unsigned.encode(&facts).unwrap();
    assert_eq!(unsigned.signing_bytes(&facts).unwrap(), short, "under the threshold: the bytes themselves");
    unsigned.method = vec![0u8; 300];
    let long = unsigned.encode(&facts).unwrap();
    assert!(long.len() > 256);
    assert_eq!(unsigned.signing_bytes(&facts).unwrap(), x402_vara_wasm::vara::hashing::blake2_256(&long).to_vec());
    // Exactly 256 bytes is still signed as it is (Substrate hashes only what is longer).
    unsigned.method = vec![0u8; 100 + 256 - short.len()];
    let edge = unsigned.encode(&facts).unwrap();
    assert_eq!(edge.len(), 256);
    assert_eq!(unsigned.signing_bytes(&facts).unwrap(), edge);
}

#[test]
fn the_signed_extrinsic_is_the_length_prefixed_v4_body_a_node_decodes() {
    use parity_scale_codec::{Compact, Decode};
    let node = ScriptedNode::new();
    let built =
        alice_pays(&ChainClient::new(), &node, &requirement("1000000000000", None), &BuildOptions::default()).unwrap();
    let facts = metadata::decode(&metadata_bytes()).unwrap();
    let unsigned = UnsignedPayload::from_json(&built.payload.payload.transaction).unwrap();
    let mut signature = [0u8; 65];
    signature[0] = 1; // sr25519
    signature[1..].copy_from_slice(&[7; 64]);
    let out = unsigned.signed_extrinsic(&facts, &signature);
    let mut rest = &out[..];
    let length = Compact::<u32>::decode(&mut rest).unwrap().0 as usize;
    assert_eq!(length, rest.len(), "the length prefix counts the body");
    assert_eq!(&rest[..2], &[0x84, 0x00], "signed v4, MultiAddress::Id");
    assert_eq!(&rest[2..34], &unsigned.address.0);
    assert_eq!(&rest[34..99], &signature[..]);
    assert!(rest.ends_with(&unsigned.method), "the call last");
    // Between the signature and the call: the signed extensions' extra data, as signed.
    let extra = &rest[99..rest.len() - unsigned.method.len()];
    assert!(!extra.is_empty());
    let signed = unsigned.encode(&facts).unwrap();
    assert!(signed[unsigned.method.len()..].starts_with(extra), "the extra data the signature covers");
}

/// Endpoints that fail in different ways before a working one.
struct Endpoints {
    node: ScriptedNode,
    asked: RefCell<Vec<String>>,
}

impl Transport for Endpoints {
    async fn post_json(&self, url: &str, body: String) -> Result<String> {
        self.asked.borrow_mut().push(url.to_string());
        match url {
            "http://dead" => Err(x402_vara_wasm::Error::new(ErrorCode::RpcError, "connection refused")),
            "http://slow" => Err(x402_vara_wasm::Error::new(ErrorCode::Timeout, "no answer within 10 ms")),
            "http://other-chain" => {
                let answer = self.node.post_json(url, body).await?;
                Ok(answer.replace(GENESIS, &format!("0x{}", "45".repeat(32))))
            }
            _ => self.node.post_json(url, body).await,
        }
    }
}

#[test]
fn failing_endpoints_hand_over_to_the_next_and_all_failing_names_each() {
    let urls = |list: &[&str]| list.iter().map(|u| u.to_string()).collect::<Vec<_>>();
    let t = Endpoints { node: ScriptedNode::new(), asked: RefCell::new(vec![]) };
    let chain = ChainClient::new();
    let endpoint = Endpoint::new(
        Network::VaraTestnet,
        &urls(&["http://dead", "http://slow", "http://other-chain", "http://live"]),
        None,
    )
    .unwrap();
    let alice = Keypair::from_suri("//Alice").unwrap();
    let opts = mode0();
    let payer = Payer {
        chain: &chain,
        transport: &t,
        endpoint: &endpoint,
        signer: &alice,
        options: &opts,
        abort: &NeverAbort,
        now_ms: 0.0,
        books: Books::NONE,
    };
    block_on(build_payment(&payer, &requirement("1000000000000", None), &NoPrompt)).unwrap();
    assert_eq!(*t.asked.borrow(), ["http://dead", "http://slow", "http://other-chain", "http://live"]);

    // The endpoint that answered is tried first next time.
    let payer = Payer { now_ms: LATER, ..payer };
    block_on(build_payment(&payer, &requirement("1000000000000", None), &NoPrompt)).unwrap();
    assert_eq!(t.asked.borrow().last().unwrap(), "http://live");
    assert_eq!(t.asked.borrow().len(), 5);

    let none = Endpoint::new(Network::VaraTestnet, &urls(&["http://dead", "http://other-chain"]), None).unwrap();
    let e = block_on(ChainClient::new().chain_state(&t, &none)).unwrap_err();
    assert_eq!(e.code, ErrorCode::RpcError);
    assert!(e.message.contains("http://dead: RPC_ERROR: connection refused"), "{}", e.message);
    assert!(e.message.contains("http://other-chain: WRONG_CHAIN"), "{}", e.message);
    let slow = Endpoint::new(Network::VaraTestnet, &urls(&["http://slow", "http://slow"]), None).unwrap();
    assert_eq!(block_on(ChainClient::new().chain_state(&t, &slow)).unwrap_err().code, ErrorCode::Timeout);
}

/// The recent metadata with `edit` applied to its type registry, as a lying node would serve it.
fn lying_metadata(edit: impl FnOnce(&mut scale_info::PortableRegistry, u32)) -> Vec<u8> {
    use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
    use parity_scale_codec::Decode;
    let mut prefixed = RuntimeMetadataPrefixed::decode(&mut &metadata_bytes()[..]).unwrap();
    let RuntimeMetadata::V15(m) = &mut prefixed.1 else { panic!("the fixture is V15") };
    let balances_calls = m.pallets.iter().find(|p| p.name == "Balances").unwrap().calls.as_ref().unwrap().ty.id;
    edit(&mut m.types, balances_calls);
    prefixed.encode()
}

fn variants(
    registry: &mut scale_info::PortableRegistry,
    ty: u32,
) -> &mut Vec<scale_info::Variant<scale_info::form::PortableForm>> {
    match &mut registry.types.iter_mut().find(|t| t.id == ty).unwrap().ty.type_def {
        scale_info::TypeDef::Variant(v) => &mut v.variants,
        _ => panic!("type {ty} is not an enum"),
    }
}

/// Counts signatures; signs as //Alice.
struct CountingSigner {
    key: Keypair,
    calls: std::cell::Cell<u32>,
}

impl Signer for CountingSigner {
    fn account(&self) -> Result<x402_vara_wasm::vara::address::AccountId> {
        self.key.account()
    }
    async fn sign(
        &self,
        payload: &x402_vara_wasm::vara::extrinsic::SignerPayloadJson,
        bytes: &[u8],
    ) -> Result<x402_vara_wasm::signer::SignOutcome> {
        self.calls.set(self.calls.get() + 1);
        self.key.sign(payload, bytes).await
    }
}

#[test]
fn a_node_swapping_call_indices_cannot_choose_the_call_that_gets_signed() {
    // transfer_keep_alive (3) and transfer_all (4) swapped in Balances' call enum: the bytes a
    // trusting client signs for "transfer_keep_alive" are transfer_all to the real runtime.
    let bytes = lying_metadata(|registry, calls| {
        let v = variants(registry, calls);
        let [a, b] = ["transfer_keep_alive", "transfer_all"].map(|n| v.iter().position(|x| x.name == n).unwrap());
        let (ia, ib) = (v[a].index, v[b].index);
        (v[a].index, v[b].index) = (ib, ia);
    });
    let mut node = ScriptedNode::new();
    node.metadata_hex = format!("0x{}", hex::encode(&bytes));
    let signer = CountingSigner { key: Keypair::from_suri("//Alice").unwrap(), calls: Default::default() };
    let opts = BuildOptions::default();
    let chain = ChainClient::new();
    let payer = Payer {
        chain: &chain,
        transport: &node,
        endpoint: &endpoint(),
        signer: &signer,
        options: &opts,
        abort: &NeverAbort,
        now_ms: 0.0,
        books: Books::NONE,
    };
    let e = block_on(build_payment(&payer, &requirement("1000000000000", None), &NoPrompt)).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnsupportedRuntime);
    assert!(e.message.contains("0x050400") && e.message.contains("0x050300"), "{}", e.message);
    assert_eq!(signer.calls.get(), 0, "nothing was signed");

    // Trusting the node (the polkadot-js trust model) signs the call at index 05 04, which the
    // real runtime reads as Balances.transfer_all.
    let trusting = BuildOptions { layout: Layout::NodeMetadata, ..BuildOptions::default() };
    let payer = Payer { options: &trusting, ..payer };
    let signed = block_on(build_payment(&payer, &requirement("1000000000000", None), &NoPrompt)).unwrap();
    assert!(signed.exact.transaction.method.starts_with("0x0504"), "{}", signed.exact.transaction.method);
    let true_facts = metadata::decode(&metadata_bytes()).unwrap();
    let real = x402_vara_wasm::vara::calls::decode(
        &true_facts,
        &hex::decode(&signed.exact.transaction.method[2..]).unwrap(),
        Layout::Pinned,
    );
    assert_eq!(real.unwrap_err().code, ErrorCode::MalformedHeader, "not a payment call to the real runtime");
}

#[test]
fn a_type_that_wraps_itself_is_refused_instead_of_spinning() {
    // AccountId32 (the `Id` variant's field of `dest`) made to contain itself.
    let bytes = lying_metadata(|registry, calls| {
        let dest = variants(registry, calls).iter().find(|v| v.name == "transfer_keep_alive").unwrap().fields[0].ty.id;
        let id_field = variants(registry, dest).iter().find(|v| v.name == "Id").unwrap().fields[0].ty.id;
        match &mut registry.types.iter_mut().find(|t| t.id == id_field).unwrap().ty.type_def {
            scale_info::TypeDef::Composite(c) => c.fields[0].ty = id_field.into(),
            _ => panic!("AccountId32 is a struct"),
        }
    });
    let mut node = ScriptedNode::new();
    node.metadata_hex = format!("0x{}", hex::encode(&bytes));
    let started = std::time::Instant::now();
    let e = alice_pays(&ChainClient::new(), &node, &requirement("1000000000000", None), &BuildOptions::default())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::UnsupportedRuntime);
    assert!(e.message.contains("nests too deeply"), "{}", e.message);
    assert!(started.elapsed().as_secs() < 5);
}

/// Our lean reader against frame-metadata (the runtime's own definitions): every type of both
/// fixtures, the pallets' call indices and the signed extensions agree.
#[test]
fn the_lean_metadata_reader_agrees_with_frame_metadata_on_both_fixtures() {
    use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
    use parity_scale_codec::Decode;
    use x402_vara_wasm::vara::types::{Primitive, TypeDef};
    let fixtures = ["vara-recent.metadata.scale", "vara-1000.metadata.scale"];
    for name in fixtures {
        let bytes = std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let ours = metadata::decode(&bytes).unwrap();
        let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).unwrap();
        let (registry, exts): (&scale_info::PortableRegistry, Vec<String>) = match &prefixed.1 {
            RuntimeMetadata::V14(m) => {
                (&m.types, m.extrinsic.signed_extensions.iter().map(|e| e.identifier.clone()).collect())
            }
            RuntimeMetadata::V15(m) => {
                (&m.types, m.extrinsic.signed_extensions.iter().map(|e| e.identifier.clone()).collect())
            }
            _ => panic!("{name}: not V14/V15"),
        };
        assert_eq!(ours.extension_names(), exts, "{name}");
        for t in &registry.types {
            use scale_info::{TypeDef as S, TypeDefPrimitive as P};
            let expected = match &t.ty.type_def {
                S::Composite(c) => TypeDef::Composite(c.fields.iter().map(|f| f.ty.id).collect()),
                S::Variant(v) => TypeDef::Variant(
                    v.variants
                        .iter()
                        .map(|v| x402_vara_wasm::vara::types::Variant {
                            name: v.name.clone(),
                            index: v.index,
                            fields: v.fields.iter().map(|f| (f.name.clone(), f.ty.id)).collect(),
                        })
                        .collect(),
                ),
                S::Sequence(s) => TypeDef::Sequence(s.type_param.id),
                S::Array(a) => TypeDef::Array { len: a.len, ty: a.type_param.id },
                S::Tuple(t) => TypeDef::Tuple(t.fields.iter().map(|f| f.id).collect()),
                S::Primitive(p) => TypeDef::Primitive(match p {
                    P::Bool => Primitive::Bool,
                    P::U8 => Primitive::U8,
                    P::U16 => Primitive::U16,
                    P::U32 => Primitive::U32,
                    P::U64 => Primitive::U64,
                    P::U128 => Primitive::U128,
                    P::Str => Primitive::Other { size: None },
                    P::Char | P::I32 => Primitive::Other { size: Some(4) },
                    P::U256 | P::I256 => Primitive::Other { size: Some(32) },
                    P::I8 => Primitive::Other { size: Some(1) },
                    P::I16 => Primitive::Other { size: Some(2) },
                    P::I64 => Primitive::Other { size: Some(8) },
                    P::I128 => Primitive::Other { size: Some(16) },
                }),
                S::Compact(c) => TypeDef::Compact(c.type_param.id),
                S::BitSequence(b) => TypeDef::BitSequence { store: b.bit_store_type.id },
            };
            assert_eq!(ours.registry.resolve(t.id), Some(&expected), "{name}: type {}", t.id);
        }
        let t = &ours.transfer_keep_alive;
        assert_eq!((t.pallet_index, t.call_index), (5, 3), "{name}");
        let g = ours.send_message.as_ref().unwrap();
        assert_eq!((g.pallet_index, g.call_index), (104, 3), "{name}");
    }
}

#[test]
fn truncated_or_garbled_metadata_is_unsupported_runtime() {
    // Cut inside what is read (the registry, pallets and extrinsic description come first;
    // the runtime APIs after them are never read).
    let bytes = metadata_bytes();
    for cut in [0, 3, 5, 100, bytes.len() / 4] {
        let e = metadata::decode(&bytes[..cut]).err().map(|e| e.code);
        assert_eq!(e, Some(ErrorCode::UnsupportedRuntime), "cut at {cut}");
    }
    let mut wrong_version = bytes.clone();
    wrong_version[4] = 13;
    assert!(metadata::decode(&wrong_version).unwrap_err().message.contains("V13"));
}

#[test]
fn a_token_call_keeps_the_account_alive_or_pays_without_a_voucher_as_the_runtime_names_it() {
    use x402_vara_wasm::vara::calls::{self, PaymentCall};
    use x402_vara_wasm::vara::vft::Dialect;
    // Current runtimes name the flag `keep_alive` (true: never reap the payer); spec 1000 named
    // it `prepaid` (false: not from a voucher).
    for (fixture, arg, want) in
        [("vara-recent.metadata.scale", "keep_alive", true), ("vara-1000.metadata.scale", "prepaid", false)]
    {
        let bytes = std::fs::read(format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let facts = metadata::decode(&bytes).unwrap();
        let send = facts.send_message.as_ref().unwrap();
        assert_eq!(send.args.last().map(|(n, _)| n.as_str()), Some(arg), "{fixture}");
        for dialect in [Dialect::Named, Dialect::Header] {
            let method =
                calls::vft_transfer(&facts, &[8; 32], &[7; 32], U256::from(5u64), dialect, 10, Layout::NodeMetadata)
                    .unwrap();
            assert_eq!(method.last(), Some(&u8::from(want)), "{fixture}: the flag is the call's last byte");
            match calls::decode(&facts, &method, Layout::NodeMetadata).unwrap() {
                PaymentCall::Vft { flag, .. } => assert_eq!(flag, want, "{fixture}"),
                other => panic!("{other:?}"),
            }
        }
    }
}

#[test]
fn a_token_payment_counts_the_tokens_promised_to_payments_the_chain_has_not_judged() {
    // //Alice holds 5 WUSDC (the recorded answers of the real program); a signed payment of 3
    // stays in the ledger until the chain judges it, so a second 3 cannot be covered too.
    let node = ScriptedNode::new();
    let chain = ChainClient::new();
    let ledger = x402_vara_wasm::ledger::Ledger::new();
    let alice = Keypair::from_suri("//Alice").unwrap();
    let opts = BuildOptions::default();
    let payer = Payer {
        chain: &chain,
        transport: &node,
        endpoint: &endpoint(),
        signer: &alice,
        options: &opts,
        abort: &NeverAbort,
        now_ms: 0.0,
        books: Books { ledger: Some(&ledger), ..Books::NONE },
    };
    let program = Some(format!("0x{}", "ab".repeat(32)));
    let first = block_on(build_payment(&payer, &requirement("3000000", program.clone()), &NoPrompt)).unwrap();
    assert!(!first.entry_id.is_empty());
    let e = block_on(build_payment(&payer, &requirement("3000000", program.clone()), &NoPrompt)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InsufficientBalance, "{e}");
    assert!(e.message.contains("(3 WUSDC (3000000 in the smallest unit) of it promised"), "{e}");
    // What is left is still payable.
    block_on(build_payment(&payer, &requirement("2000000", program), &NoPrompt)).unwrap();
}

#[test]
fn an_executed_payment_counts_against_the_balance_read_before_it_executed() {
    use x402_vara_wasm::ledger::{Ledger, Stage};
    // //Alice holds the deposit and 15 VARA; she pays 10, which the chain executes (the watcher
    // judges it) while her balance is still the one cached before it executed.
    const VARA: u128 = 1_000_000_000_000;
    let deposit = metadata::decode(&metadata_bytes()).unwrap().existential_deposit;
    let node = ScriptedNode::new();
    node.alice_free.set(deposit + 15 * VARA);
    let chain = ChainClient::new();
    let ledger = Ledger::new();
    let alice = Keypair::from_suri("//Alice").unwrap();
    let (opts, endpoint) = (mode0(), endpoint());
    let payer = Payer {
        chain: &chain,
        transport: &node,
        endpoint: &endpoint,
        signer: &alice,
        options: &opts,
        abort: &NeverAbort,
        now_ms: 0.0,
        books: Books { ledger: Some(&ledger), ..Books::NONE },
    };
    let pay = |amount: u128| block_on(build_payment(&payer, &requirement(&amount.to_string(), None), &NoPrompt));
    let first = pay(10 * VARA).unwrap();
    assert_eq!(first.summary.nonce, 7);
    ledger.update(&first.entry_id, 1.0, |e| e.stage = Stage::Executed).unwrap();
    node.nonce.set(8);
    node.alice_free.set(deposit + 5 * VARA - node.fee);
    assert_eq!(node.requests.borrow().len(), 1);

    // The cached balance (read at nonce 7) does not reflect it: it still counts, so 6 VARA is
    // near the edge, the balance is read again (now at nonce 8, which reflects it) and the
    // payment refused before it is signed.
    let e = pay(6 * VARA).unwrap_err();
    assert_eq!(e.code, ErrorCode::InsufficientBalance, "{e}");
    assert_eq!(node.requests.borrow().len(), 2, "read again near the edge");
    // Read at nonce 8, the executed payment is in the balance and no longer counted twice.
    let third = pay(4 * VARA).unwrap();
    assert_eq!(third.summary.nonce, 8);
    // A payment signed but not yet judged (nonce 8, not in the balance read at 8) counts.
    let e = pay(VARA).unwrap_err();
    assert_eq!(e.code, ErrorCode::InsufficientBalance, "{e}");
    assert!(e.message.contains("not yet reflected in its balance"), "{e}");
}

#[test]
fn a_mode_1_payload_reads_back_with_its_metadata_hash() {
    let facts = metadata::decode(&metadata_bytes()).unwrap();
    let unsigned = UnsignedPayload { nonce: 3, metadata_hash: Some([9; 32]), ..alice_payload(&facts) };
    let json = unsigned.to_json(137);
    assert_eq!(json.mode, Some(1));
    let back = UnsignedPayload::from_json(&json).unwrap();
    assert_eq!(back.metadata_hash, Some([9; 32]));
    assert_eq!(back.encode(&facts).unwrap(), unsigned.encode(&facts).unwrap());
    // Mode 1 without its hash is refused.
    let mut broken = json.clone();
    broken.metadata_hash = None;
    assert_eq!(UnsignedPayload::from_json(&broken).unwrap_err().code, ErrorCode::MalformedHeader);
}
