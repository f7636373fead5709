//! A token world for the tests: the VFT program built from this crate, deployed in gtest (Gear's
//! own executor, with the cost schedule of pallet-gear), and a JSON-RPC node whose Gear calls
//! that program answers, so that x402-vara-wasm builds its payments exactly as against a node.

#![allow(dead_code)] // each test file uses its part

use awesome_sails::{vft, vft_admin, vft_metadata};
use gear_core::rpc::ReplyInfo;
use sails_rs::gtest::{self, BlockRunResult, Program, System};
use sails_rs::meta::{InterfaceId, SailsMessageHeader, ServiceMeta};
use sails_rs::{ActorId, Decode, Encode, MessageId};
use serde_json::{Value, json};
use std::cell::RefCell;
use x402_vara_wasm::amount::U256;
use x402_vara_wasm::payment::{Books, BuildOptions, Consent, NeverAbort, Payer, Signed, build_payment};
use x402_vara_wasm::proto::v1;
use x402_vara_wasm::requirements::Requirement;
use x402_vara_wasm::signer::keypair::Keypair;
use x402_vara_wasm::vara::chain::ChainClient;
use x402_vara_wasm::vara::network::{Endpoint, Network};
use x402_vara_wasm::vara::rpc::Transport;

pub type VftService = vft::Vft<'static>;
pub type MetadataService = vft_metadata::VftMetadata<&'static vft_metadata::Metadata>;
pub type AdminService = vft_admin::VftAdmin<'static>;
pub type RolesService = vft_admin::AccessControl<'static, &'static std::cell::RefCell<vft_admin::RolesStorage>>;

/// Accounts and the tokens minted to them.
pub type Holders = Vec<([u8; 32], U256)>;

pub const TOKEN: [u8; 32] = [0xcd; 32];
/// The deployer: the token's admin and minter.
pub const ISSUER: [u8; 32] = [0x15; 32];
pub const ALICE: [u8; 32] = hex_literal(b"d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
pub const BOB: [u8; 32] = hex_literal(b"8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");
pub const TESTNET_GENESIS: &str = "0x525639f713f397dcf839bd022cd821f367ebcf179de7b9253531f8adbe5436d6";
/// 10^9 VARA: gas for every message the tests send, and for the dry runs (gtest's
/// calculate_reply_for_handle does not give back what it reserves).
pub const GAS_MONEY: u128 = 1_000_000_000 * 1_000_000_000_000;

const fn hex_literal(text: &[u8; 64]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(text[2 * i]) << 4) | nibble(text[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        _ => c - b'a' + 10,
    }
}

/// A Sails 1.0 call to `S`'s `method`, route 0 (the program finds the service by interface).
pub fn call<S: ServiceMeta>(method: &str, args: impl Encode) -> Vec<u8> {
    let entry = S::METHODS
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(method))
        .unwrap_or_else(|| panic!("no method {method}"))
        .entry_id;
    let mut out = SailsMessageHeader::v1(S::INTERFACE_ID, entry, 0).to_bytes();
    args.encode_to(&mut out);
    out
}

pub fn entry_id<S: ServiceMeta>(method: &str) -> u16 {
    S::METHODS.iter().find(|m| m.name.eq_ignore_ascii_case(method)).unwrap().entry_id
}

pub fn sails_u256(v: U256) -> sails_rs::U256 {
    sails_rs::U256::from_little_endian(&v.to_little_endian())
}

/// What a message's reply was: success, and its payload.
#[derive(Debug)]
pub struct Reply {
    pub ok: bool,
    pub payload: Vec<u8>,
    pub gas_burned: u64,
}

/// Which build of the token: awesome-sails 0.3 on sails-rs 1.0 (this crate, header dialect)
/// or awesome-sails 0.2 on sails-rs 0.10 (tests/vft/named, named dialect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sails {
    V1,
    V0,
}

impl Sails {
    /// The program's wasm: build.rs's (a debug build of the crates), or another build's
    /// (`X402_VFT_WASM`, `X402_VFT_NAMED_WASM`: to measure a release build, say).
    pub fn code(self) -> Vec<u8> {
        let named = concat!(env!("CARGO_MANIFEST_DIR"), "/target/wasm32-gear/debug/x402_vft_program_named.opt.wasm");
        match (self, std::env::var(if self == Sails::V1 { "X402_VFT_WASM" } else { "X402_VFT_NAMED_WASM" })) {
            (_, Ok(path)) => std::fs::read(path).expect("the variable names a wasm file"),
            (Sails::V1, Err(_)) => x402_vft_program::WASM_BINARY.to_vec(),
            (Sails::V0, Err(_)) => std::fs::read(named).unwrap_or_else(|_| {
                panic!("{named} is missing: cargo build --manifest-path tests/vft/named/Cargo.toml --target-dir tests/vft/target")
            }),
        }
    }

    /// A call in this program's dialect: Sails 1.0's header for `S`, or the names.
    fn call<S: ServiceMeta>(self, service: &str, method: &str, args: impl Encode) -> Vec<u8> {
        match self {
            Sails::V1 => call::<S>(method, args),
            Sails::V0 => (service, method, args).encode(),
        }
    }

    /// A reply's value, after its header or its service and method names.
    pub fn body(self, reply: &[u8]) -> Vec<u8> {
        match self {
            Sails::V1 => reply[16..].to_vec(),
            Sails::V0 => {
                let input = &mut &reply[..];
                <(String, String)>::decode(input).expect("a named reply");
                input.to_vec()
            }
        }
    }
}

pub struct World {
    pub system: System,
    flavours: RefCell<Vec<([u8; 32], Sails)>>,
}

impl World {
    /// The Sails 1.0 token deployed at [`TOKEN`] by [`ISSUER`], who may mint; `holders` minted.
    pub fn new(holders: &[([u8; 32], U256)]) -> Self {
        World::of(Sails::V1, holders)
    }

    pub fn of(sails: Sails, holders: &[([u8; 32], U256)]) -> Self {
        let system = System::new();
        for who in [ISSUER, ALICE, BOB] {
            system.mint_to(who, GAS_MONEY);
        }
        let world = World { system, flavours: RefCell::new(vec![]) };
        world.deploy(sails, TOKEN, "Bridged USD Coin", "WUSDC", 6);
        for (who, amount) in holders {
            world.mint(TOKEN, *who, *amount);
        }
        world
    }

    fn sails(&self, token: [u8; 32]) -> Sails {
        self.flavours.borrow().iter().find(|(id, _)| *id == token).expect("a token").1
    }

    pub fn deploy(&self, sails: Sails, id: [u8; 32], name: &str, symbol: &str, decimals: u8) {
        let program = Program::from_binary_with_id(&self.system, id, sails.code());
        let ctor = match sails {
            Sails::V1 => {
                [SailsMessageHeader::v1(InterfaceId::zero(), 0, 0).to_bytes(), (name, symbol, decimals).encode()]
                    .concat()
            }
            Sails::V0 => ("New", name, symbol, decimals).encode(),
        };
        let mid = program.send_bytes(ISSUER, ctor);
        let res = self.system.run_next_block();
        assert!(res.succeed.contains(&mid), "the token initialises: {res:?}");
        self.flavours.borrow_mut().push((id, sails));
        // MINTER_ROLE is keccak256("MINTER_ROLE") in both releases of awesome-sails.
        let grant =
            sails.call::<RolesService>("AccessControl", "GrantRole", (vft_admin::MINTER_ROLE, ActorId::from(ISSUER)));
        assert!(self.send(id, ISSUER, grant, None).ok, "the issuer is made minter");
    }

    pub fn mint(&self, token: [u8; 32], to: [u8; 32], amount: U256) -> Reply {
        let mint = (ActorId::from(to), sails_u256(amount));
        let reply = self.send(token, ISSUER, self.sails(token).call::<AdminService>("VftAdmin", "Mint", mint), None);
        assert!(reply.ok, "minted {amount} to {to:02x?}: {}", String::from_utf8_lossy(&reply.payload));
        reply
    }

    /// Sends `payload` to `to` from `from` and runs the block: the reply and the gas burned.
    pub fn send(&self, to: [u8; 32], from: [u8; 32], payload: Vec<u8>, gas: Option<u64>) -> Reply {
        let program = self.system.get_program(to).expect("a program");
        let mid = match gas {
            Some(gas) => program.send_bytes_with_gas(from, payload, gas, 0),
            None => program.send_bytes(from, payload),
        };
        let res = self.system.run_next_block();
        reply_to(&res, mid)
    }

    /// What the program answers, without changing anything (gtest's calculate_reply_for_handle,
    /// the node's gear_calculateReplyForHandle).
    pub fn query(&self, token: [u8; 32], payload: Vec<u8>) -> ReplyInfo {
        self.system
            .calculate_reply_for_handle(ALICE, token, payload, gtest::constants::MAX_USER_GAS_LIMIT, 0)
            .expect("the program answers")
    }

    /// The least gas limit with which `payload` from `from` runs to its end here, by dry runs
    /// that change nothing: what the node's gear_calculateHandleGas (with other panics
    /// allowed, as the client asks) calls `min_limit`. A message the program refuses "ends"
    /// with its panic, as on the node.
    pub fn min_gas_limit(&self, to: [u8; 32], from: [u8; 32], payload: &[u8]) -> u64 {
        let ends = |gas| {
            let info = self.system.calculate_reply_for_handle(from, to, payload.to_vec(), gas, 0).expect("a reply");
            !format!("{:?}", info.code).contains("RanOutOfGas")
        };
        let (mut enough, mut short) = (gtest::constants::MAX_USER_GAS_LIMIT, 0);
        assert!(ends(enough), "the message ends with all the gas a user may give");
        while enough - short > 1 {
            let mid = short + (enough - short) / 2;
            if ends(mid) { enough = mid } else { short = mid }
        }
        enough
    }

    pub fn balance(&self, token: [u8; 32], who: [u8; 32]) -> U256 {
        let sails = self.sails(token);
        let info = self.query(token, sails.call::<VftService>("Vft", "BalanceOf", ActorId::from(who)));
        assert!(info.code.is_success(), "{info:?}");
        let body = sails.body(&info.payload);
        assert_eq!(body.len(), 32);
        U256::from_little_endian(&body)
    }
}

/// The reply to `mid` in a block's log.
pub fn reply_to(res: &BlockRunResult, mid: MessageId) -> Reply {
    let log = res.log().iter().find(|l| l.reply_to() == Some(mid)).expect("a reply");
    Reply {
        ok: log.reply_code().is_some_and(|c| c.is_success()),
        payload: log.payload().to_vec(),
        gas_burned: res.gas_burned.get(&mid).copied().unwrap_or_default(),
    }
}

/// A JSON-RPC node: chain values as in tests/payload.rs (real Vara metadata), and Gear's calls
/// answered by the program in `world`: gear_calculateReplyForHandle by gtest's own, and
/// gear_calculateHandleGas (which gtest lacks) by [`World::min_gas_limit`].
pub struct Node<'a> {
    pub world: &'a World,
    pub seen: RefCell<Vec<String>>,
    metadata_hex: String,
}

impl<'a> Node<'a> {
    pub fn new(world: &'a World) -> Self {
        let metadata =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/vara-recent.metadata.scale")).unwrap();
        Node { world, seen: RefCell::new(vec![]), metadata_hex: format!("0x{}", hex(&metadata)) }
    }

    pub fn answer(&self, call: &Value) -> Value {
        let method = call["method"].as_str().unwrap();
        self.seen.borrow_mut().push(method.to_string());
        let params = &call["params"];
        let result = match method {
            "chain_getBlockHash" => json!(TESTNET_GENESIS),
            "state_getRuntimeVersion" => json!({"specName": "vara", "specVersion": 20000, "transactionVersion": 1}),
            "state_getMetadata" => json!(self.metadata_hex),
            // Metadata V15 for the metadata hash (mode 1 on the public networks), as tests/payload.rs.
            "state_call" if params[0] == "Metadata_metadata_at_version" => {
                json!(format!("0x{}", hex(&Some(unhex(&self.metadata_hex)).encode())))
            }
            "chain_getHeader" => json!({"parentHash": format!("0x{}", "11".repeat(32)), "number": "0x12d687",
                "stateRoot": format!("0x{}", "22".repeat(32)), "extrinsicsRoot": format!("0x{}", "33".repeat(32)),
                "digest": {"logs": []}}),
            "system_accountNextIndex" => json!(0),
            // Every account holds GAS_MONEY (AccountInfo: four u32 counters, then free).
            "state_getStorage" => {
                let mut info = vec![0u8; 16];
                info.extend_from_slice(&GAS_MONEY.to_le_bytes());
                info.extend_from_slice(&[0; 48]);
                json!(format!("0x{}", hex(&info)))
            }
            "gear_calculateHandleGas" | "gear_calculateReplyForHandle" => {
                let bytes = |i: usize| unhex(params[i].as_str().unwrap());
                let source: [u8; 32] = bytes(0).try_into().unwrap();
                let program: [u8; 32] = bytes(1).try_into().unwrap();
                if !self.world.system.is_active_program(program) {
                    // The real node refuses too; its exact words are not reproduced here.
                    return json!({"jsonrpc": "2.0", "id": call["id"], "error": {"code": 8000, "message": "program not found"}});
                }
                if method == "gear_calculateHandleGas" {
                    let min_limit = self.world.min_gas_limit(program, source, &bytes(2));
                    json!({"min_limit": min_limit, "reserved": 0, "burned": 0, "may_be_returned": 0, "waited": false})
                } else {
                    let gas = params[3].as_u64().unwrap();
                    serde_json::to_value(
                        self.world.system.calculate_reply_for_handle(source, program, bytes(2), gas, 0).unwrap(),
                    )
                    .unwrap()
                }
            }
            other => panic!("unexpected RPC {other}"),
        };
        json!({"jsonrpc": "2.0", "id": call["id"], "result": result})
    }
}

impl Transport for Node<'_> {
    async fn post_json(&self, _url: &str, body: String) -> x402_vara_wasm::Result<String> {
        let request: Value = serde_json::from_str(&body).unwrap();
        let answer = match &request {
            Value::Array(calls) => Value::Array(calls.iter().map(|c| self.answer(c)).collect()),
            one => self.answer(one),
        };
        Ok(answer.to_string())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Vec<u8> {
    let text = text.trim_start_matches("0x");
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// A v1 requirement for `amount` of `asset` to Bob on the testnet.
pub fn requirement(asset: [u8; 32], amount: U256) -> Requirement {
    let entry = json!({"scheme": "exact", "network": "vara-testnet", "maxAmountRequired": amount.to_string(),
        "resource": "http://shop.test/paid", "payTo": format!("0x{}", hex(&BOB)), "maxTimeoutSeconds": 60,
        "asset": format!("0x{}", hex(&asset)), "extra": {"name": "WUSDC", "decimals": 6}});
    v1::requirement(&serde_json::from_value(entry).unwrap()).unwrap()
}

/// The consent prompt's preview, kept.
#[derive(Default)]
pub struct Recorded(pub RefCell<Option<x402_vara_wasm::json::Value>>);

impl Consent for Recorded {
    async fn approve(&self, preview: &x402_vara_wasm::json::Value) -> x402_vara_wasm::Result<()> {
        *self.0.borrow_mut() = Some(preview.clone());
        Ok(())
    }
}

/// //Alice pays `req` through `node`, as the client pays any server; `consent` sees the preview.
pub fn alice_pays(
    chain: &ChainClient,
    node: &impl Transport,
    req: &Requirement,
    opts: &BuildOptions,
    consent: &impl Consent,
) -> x402_vara_wasm::Result<Signed> {
    let alice = Keypair::from_suri("//Alice").unwrap();
    let endpoint = Endpoint::new(Network::VaraTestnet, &["http://gtest.invalid".to_string()], None).unwrap();
    let payer = Payer {
        chain,
        transport: node,
        endpoint: &endpoint,
        signer: &alice,
        options: opts,
        abort: &NeverAbort,
        now_ms: 0.0,
        books: Books::NONE,
    };
    futures::executor::block_on(build_payment(&payer, req, consent))
}

/// Alice's `payload` (with `gas`, or the most a user may give) in a fresh world minted like
/// `holders`, on its own thread: gtest allows one `System` per thread.
pub fn alice_sends_in(holders: Holders, payload: Vec<u8>, gas: Option<u64>) -> Reply {
    std::thread::spawn(move || World::new(&holders).send(TOKEN, ALICE, payload, gas)).join().unwrap()
}

/// `Gear.send_message`'s arguments, read from the signed call bytes with SCALE directly (not
/// with the client's decoder): pallet 104, call 3, destination, payload, gas limit, value,
/// keep_alive.
#[derive(Debug, PartialEq, Eq)]
pub struct SendMessage {
    pub destination: [u8; 32],
    pub payload: Vec<u8>,
    pub gas_limit: u64,
    pub value: u128,
    pub keep_alive: bool,
}

pub fn send_message_of(signed: &Signed) -> SendMessage {
    let unsigned = &signed.summary.unsigned;
    let method = &unsigned.method;
    // The call is the tail of the signed extrinsic the facilitator submits.
    let metadata =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/vara-recent.metadata.scale")).unwrap();
    let facts = x402_vara_wasm::vara::metadata::decode(&metadata).unwrap();
    let signature: [u8; 65] = unhex(&signed.exact.signature).try_into().unwrap();
    let extrinsic = unsigned.signed_extrinsic(&facts, &signature);
    assert!(extrinsic.ends_with(method), "the signed extrinsic carries the call");
    assert_eq!(&method[..2], &[104, 3], "Gear.send_message");
    let input = &mut &method[2..];
    let out = SendMessage {
        destination: Decode::decode(input).unwrap(),
        payload: Decode::decode(input).unwrap(),
        gas_limit: Decode::decode(input).unwrap(),
        value: Decode::decode(input).unwrap(),
        keep_alive: Decode::decode(input).unwrap(),
    };
    assert!(input.is_empty());
    out
}
