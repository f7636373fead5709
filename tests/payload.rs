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
use x402_vara_wasm::payment::{build_payment, BuildOptions, BuiltPayment, GasLimit, NoPrompt};
use x402_vara_wasm::proto::v1::{PaymentPayload, PaymentRequirements};
use x402_vara_wasm::requirements::Requirement;
use x402_vara_wasm::signer::keypair::Keypair;
use x402_vara_wasm::signer::Signer;
use x402_vara_wasm::vara::chain::ChainClient;
use x402_vara_wasm::vara::check;
use x402_vara_wasm::vara::extrinsic::UnsignedPayload;
use x402_vara_wasm::vara::metadata::{self, Additional, Extra};
use x402_vara_wasm::vara::network::{Endpoint, Network};
use x402_vara_wasm::vara::rpc::Transport;
use x402_vara_wasm::{ErrorCode, Result};

const GENESIS: &str = "0x525639f713f397dcf839bd022cd821f367ebcf179de7b9253531f8adbe5436d6";
const BOB: &str = "kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq";

fn metadata_bytes() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/vara-recent.metadata.scale")).unwrap()
}

/// Answers JSON-RPC like a node at block 1,234,567 would; counts round trips.
struct ScriptedNode {
    metadata_hex: String,
    nonce: u32,
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
            nonce: 7,
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
            "system_accountNextIndex" => json!(self.nonce),
            "state_getStorage" => {
                if self.account_exists {
                    json!("0x00")
                } else {
                    Value::Null
                }
            }
            "gear_calculateHandleGas" => {
                json!({"min_limit": self.gas_min_limit, "reserved": 0, "burned": 0, "may_be_returned": 0, "waited": false})
            }
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

fn requirement(amount: &str, asset: Option<String>) -> Requirement {
    let wire: PaymentRequirements = serde_json::from_value(json!({
        "scheme": "exact", "network": "vara-testnet", "maxAmountRequired": amount, "resource": "http://x/paid",
        "payTo": BOB, "maxTimeoutSeconds": 60, "asset": asset
    }))
    .unwrap();
    Requirement::from_wire(&wire).unwrap()
}

fn endpoint() -> Endpoint {
    Endpoint::new(Network::VaraTestnet, Some("http://127.0.0.1:9"), None).unwrap()
}

/// //Alice pays `req` through the scripted node, on the testnet endpoint, without a prompt.
fn alice_pays(
    chain: &ChainClient,
    node: &ScriptedNode,
    req: &Requirement,
    opts: &BuildOptions,
) -> Result<BuiltPayment> {
    let alice = Keypair::from_suri("//Alice").unwrap();
    block_on(build_payment(chain, node, &endpoint(), req, &alice, &NoPrompt, opts))
}

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
fn native_payment_is_built_signed_and_self_checked_in_one_round_trip_when_warm() {
    let node = ScriptedNode::new();
    let chain = ChainClient::new();
    let req = requirement("1000000000000", None);
    let opts = BuildOptions::default();
    let built = alice_pays(&chain, &node, &req, &opts).unwrap();
    assert_eq!(node.requests.borrow().len(), 1, "cold: one batch");

    let tx = &built.payload.payload.transaction;
    assert_eq!(tx.nonce, "0x00000007");
    assert_eq!(tx.block_number, "0x0012d687");
    assert_eq!(tx.era, "0x7500");
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

    alice_pays(&chain, &node, &req, &opts).unwrap();
    assert_eq!(node.requests.borrow().len(), 2, "warm: one more batch");
    assert_eq!(node.requests.borrow()[1].as_array().unwrap().len(), 3, "header + nonce + runtime version");
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

    let ok = check::inspect(&PaymentPayload::from_header(&built.header).unwrap(), &state).unwrap();
    assert_eq!(ok.payer, alice.account());
    check::matches_requirement(&ok, &req).unwrap();
    assert_eq!(
        check::matches_requirement(&ok, &requirement("5001", None)).unwrap_err().code,
        ErrorCode::PaymentMismatch
    );

    let mut tampered = built.payload.clone();
    tampered.payload.transaction.nonce = "0x00000008".into();
    assert_eq!(check::inspect(&tampered, &state).unwrap_err().code, ErrorCode::InvalidSignature);
    let mut tampered = built.payload.clone();
    tampered.payload.transaction.signed_extensions.pop();
    assert_eq!(check::inspect(&tampered, &state).unwrap_err().code, ErrorCode::MalformedHeader);
    let mut tampered = built.payload.clone();
    tampered.payload.transaction.genesis_hash = format!("0x{}", "45".repeat(32));
    assert_eq!(check::inspect(&tampered, &state).unwrap_err().code, ErrorCode::WrongChain);
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
    let alice = Keypair::from_suri("//Alice").unwrap();
    let e = block_on(build_payment(
        &ChainClient::new(),
        &node,
        &endpoint(),
        &requirement("1", None),
        &alice,
        &NoPrompt,
        &BuildOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::BelowExistentialDeposit);

    let node = ScriptedNode::new();
    let mainnet = Endpoint::new(Network::Vara, Some("http://127.0.0.1:9"), None).unwrap();
    let wire = PaymentRequirements { network: "vara".into(), ..requirement("1", None).wire };
    let req = Requirement::from_wire(&wire).unwrap();
    let e = block_on(build_payment(
        &ChainClient::new(),
        &node,
        &mainnet,
        &req,
        &alice,
        &NoPrompt,
        &BuildOptions::default(),
    ))
    .unwrap_err();
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
            let address = ours.account().to_ss58(137);
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
        assert!(x402_vara_wasm::signer::keypair::verify(&ours.public_key(), msg, &their_sig.0));
    }
}

#[test]
fn at_block_zero_the_era_is_anchored_at_the_reported_genesis_hash() {
    let mut node = ScriptedNode::new();
    node.block_number = 0;
    let alice = Keypair::from_suri("//Alice").unwrap();
    let built = block_on(build_payment(
        &ChainClient::new(),
        &node,
        &endpoint(),
        &requirement("1000", None),
        &alice,
        &NoPrompt,
        &BuildOptions::default(),
    ))
    .unwrap();
    assert_eq!(built.payload.payload.transaction.block_hash, GENESIS);
}

#[test]
fn a_small_warm_payment_checks_the_recipient_in_the_same_batch() {
    let node = ScriptedNode::new();
    let chain = ChainClient::new();
    let small = requirement("1000", None); // far below the existential deposit
    alice_pays(&chain, &node, &small, &BuildOptions::default()).unwrap();
    let cold = node.requests.borrow().len();
    alice_pays(&chain, &node, &small, &BuildOptions::default()).unwrap();
    let requests = node.requests.borrow();
    assert_eq!(requests.len(), cold + 1, "warm: one round trip");
    let methods: Vec<_> = requests
        .last()
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["method"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(methods, ["chain_getHeader", "system_accountNextIndex", "state_getRuntimeVersion", "state_getStorage"]);
}

#[test]
fn a_runtime_upgrade_seen_in_the_warm_batch_refreshes_the_metadata() {
    let node = ScriptedNode::new();
    let chain = ChainClient::new();
    let req = requirement("50000000000000", None);
    alice_pays(&chain, &node, &req, &BuildOptions::default()).unwrap();
    node.spec_version.set(20001);
    let built = alice_pays(&chain, &node, &req, &BuildOptions::default()).unwrap();
    assert_eq!(built.payload.payload.transaction.spec_version, "0x00004e21");
    let requests = node.requests.borrow();
    assert_eq!(requests.len(), 3, "cold batch, warm batch, then the new metadata");
    assert_eq!(requests[2]["method"], "state_getMetadata");
    assert_eq!(block_on(chain.chain_state(&node, &endpoint())).unwrap().spec_version, 20001);
}

#[test]
fn payloads_over_256_bytes_are_signed_by_their_blake2_256_hash() {
    let facts = metadata::decode(&metadata_bytes()).unwrap();
    let alice = Keypair::from_suri("//Alice").unwrap();
    let mut unsigned = UnsignedPayload {
        address: alice.account(),
        method: vec![0u8; 100],
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
    };
    let short = unsigned.encode(&facts).unwrap();
    assert_eq!(unsigned.signing_bytes(&facts).unwrap(), short, "under the threshold: the bytes themselves");
    unsigned.method = vec![0u8; 300];
    let long = unsigned.encode(&facts).unwrap();
    assert!(long.len() > 256);
    assert_eq!(unsigned.signing_bytes(&facts).unwrap(), x402_vara_wasm::vara::hashing::blake2_256(&long).to_vec());
}
