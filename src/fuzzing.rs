//! One entry per fuzz target: each takes the fuzzer's bytes and hands them to the parsers that
//! read outside data. `fuzz/fuzz_targets/<name>.rs` calls the function of the same name, and
//! `tests/fuzz_regressions.rs` replays every saved input through the same function, so a
//! crash found once stays fixed. Native only: the wasm never carries this module.
//!
//! A parser may refuse anything (a typed error); it must never panic, hang or allocate without
//! bound. Where a value can be written back, the entries also check that it reads the same.

use crate::amount::U256;
use crate::inspect;
use crate::json::{json, Value};
use crate::proto::{self, v1, v2, Offer};
#[cfg(feature = "keypair")]
use crate::requirements::Asset;
use crate::scheme::ExactVaraPayload;
use crate::vara::address::{self, AccountId, VARA_SS58_PREFIX};
use crate::vara::calls::{self, Layout};
use crate::vara::chain::{self, ChainState};
use crate::vara::era::Era;
use crate::vara::extrinsic::{SignerPayloadJson, UnsignedPayload};
use crate::vara::metadata;
use crate::vara::network::Network;
use crate::vara::rpc::{self, Call};
use crate::vara::vft::Dialect;
use base64::{engine::general_purpose::STANDARD, Engine};
use std::sync::OnceLock;

/// What a fuzz target runs on its input.
pub type Target = fn(&[u8]);

/// Every target, by name (the regression test walks `tests/fuzz-regressions/<name>/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("payment_required_v1", payment_required_v1),
    ("payment_required_v2", payment_required_v2),
    ("payment_header", payment_header),
    ("settlement_receipt", settlement_receipt),
    ("metadata", metadata),
    ("ss58", ss58),
    #[cfg(feature = "keypair")]
    ("suri", suri),
    ("rpc_response", rpc_response),
    ("era", era),
    ("extrinsic", extrinsic),
    #[cfg(feature = "keypair")]
    ("roundtrip", roundtrip),
];

/// The runtime the offline checks judge payments by: Vara testnet with the recent fixture's
/// metadata, spec 20000, transaction version 1 (what the seeds are built for).
pub fn chain_state() -> &'static ChainState {
    static CHAIN: OnceLock<ChainState> = OnceLock::new();
    CHAIN.get_or_init(|| ChainState {
        genesis_hash: crate::hexutil::decode_fixed(Network::VaraTestnet.genesis_hash_hex()).expect("a known hash"),
        spec_version: 20000,
        transaction_version: 1,
        facts: metadata::decode(include_bytes!("../tests/fixtures/vara-recent.metadata.scale"))
            .expect("the fixture decodes"),
    })
}

/// Header text from fuzz bytes: JSON (starting with `{`, which base64 never does) is
/// base64-encoded first, so the fuzzer can work on the JSON itself; anything else is the header.
fn header_text(data: &[u8]) -> Option<String> {
    if data.first() == Some(&b'{') {
        return Some(STANDARD.encode(data));
    }
    core::str::from_utf8(data).ok().map(str::to_string)
}

/// Each entry of an offer, validated (network, amount, addresses).
fn validate_entries(offer: &Offer) {
    for r in offer.candidates().into_iter().flatten() {
        assert!(!r.amount.is_zero(), "a zero amount passed validation");
    }
}

/// The 402 body of x402 v1.
pub fn payment_required_v1(data: &[u8]) {
    if let Ok(offer) = Offer::from_answer(None, data) {
        validate_entries(&offer);
    }
}

/// The `PAYMENT-REQUIRED` header of x402 v2.
pub fn payment_required_v2(data: &[u8]) {
    let Some(header) = header_text(data) else { return };
    if let Ok(offer) = Offer::from_answer(Some(&header), b"") {
        validate_entries(&offer);
    }
}

/// A payment header of either version (`X-PAYMENT`, `PAYMENT-SIGNATURE`), decoded and inspected
/// offline against [`chain_state`].
pub fn payment_header(data: &[u8]) {
    let Some(header) = header_text(data) else { return };
    let _ = proto::header_version(&header);
    if let Ok(p) = v1::PaymentPayload::from_header(&header) {
        inspect_offline(&p.payload, &p.network, p.asset.as_deref());
    }
    if let Ok(p) = v2::PaymentPayload::from_header(&header) {
        let network = p.accepted.get("network").and_then(Value::as_str).unwrap_or_default();
        inspect_offline(&p.payload, network, p.accepted.get("asset").and_then(Value::as_str));
    }
}

fn inspect_offline(payload: &ExactVaraPayload, network: &str, asset: Option<&str>) {
    let network = Network::parse(network).unwrap_or(Network::VaraTestnet);
    for layout in [Layout::Pinned, Layout::NodeMetadata] {
        if let Ok(summary) = inspect::inspect(payload, network, asset, chain_state(), layout) {
            let _ = summary.to_json();
        }
    }
}

/// The settlement receipt in both forms: v1's `X-PAYMENT-RESPONSE` (a tx hash or base64 JSON)
/// and v2's `PAYMENT-RESPONSE`, directly and as an offer of each version reads them.
pub fn settlement_receipt(data: &[u8]) {
    let Some(header) = header_text(data) else { return };
    let _ = v1::parse_settlement_header(&header);
    let _ = v2::parse_payment_response(&header);
    let v1_offer = Offer::from_json(json!({"x402Version": 1, "accepts": [{}]})).expect("a v1 offer");
    let v2_offer = Offer::from_json(json!({"x402Version": 2, "accepts": [{}]})).expect("a v2 offer");
    for offer in [v1_offer, v2_offer] {
        let _ = offer.settlement(|_| Some(header.clone()));
    }
}

/// SCALE runtime metadata (`state_getMetadata`), and the payment calls built from what it says.
pub fn metadata(data: &[u8]) {
    // The RFC-78 digest reads a node's metadata V15 too (the crate behind it recurses).
    let _ = crate::vara::metadata_hash::digest(data, Network::VaraTestnet);
    let Ok(facts) = metadata::decode(data) else { return };
    let _ = calls::native_transfer(&facts, &[7; 32], 1_000, Layout::NodeMetadata);
    let _ =
        calls::vft_transfer(&facts, &[8; 32], &[7; 32], U256::from(1_000u64), Dialect::Named, 10, Layout::NodeMetadata);
}

/// SS58 addresses and hex account ids; a decoded address encodes back to the same key.
pub fn ss58(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else { return };
    let _ = AccountId::parse(text);
    if let Ok((id, prefix)) = address::ss58_decode(text) {
        let again = address::ss58_decode(&id.to_ss58(prefix)).expect("an encoded address decodes");
        assert_eq!(again, (id, prefix), "SS58 round trip");
    }
}

/// Secret URIs and mnemonics (the key derivation included: no development keys refused).
#[cfg(feature = "keypair")]
pub fn suri(data: &[u8]) {
    use crate::signer::keypair::{KeyPolicy, Keypair};
    let Ok(text) = core::str::from_utf8(data) else { return };
    let _ = crate::signer::suri::parse(text);
    let _ = Keypair::from_suri_with(text, KeyPolicy { allow_development_keys: true });
}

/// A JSON-RPC answer (one object, or a batch of up to six), and each result read as every
/// answer the client parses: runtime version, header, nonce, account info, gas, fee, metadata.
pub fn rpc_response(data: &[u8]) {
    let Ok(answer) = crate::json::from_bytes::<Value>(data) else { return };
    const METHODS: [&str; 6] = [
        "state_getRuntimeVersion",
        "chain_getHeader",
        "system_accountNextIndex",
        "state_getStorage",
        "gear_calculateHandleGas",
        "state_call",
    ];
    let calls: Vec<Call> = METHODS.iter().map(|m| Call::new(m, json!([]))).collect();
    let results = match answer {
        Value::Array(answers) => rpc::collect_batch(&calls, answers),
        one => rpc::result_of(METHODS[0], one).map(|r| vec![r]),
    };
    for v in results.iter().flatten() {
        let _ = chain::runtime_version(v);
        let _ = chain::header_of(v);
        let _ = chain::next_index(v);
        let _ = chain::account_state(v);
        let _ = chain::account_exists(v);
        let _ = chain::min_gas(v);
        let _ = chain::partial_fee(v);
        let _ = chain::decode_metadata(v);
    }
}

/// A transaction's era; a decoded era encodes to the bytes it was read from, and its validity
/// window holds any block inside it.
pub fn era(data: &[u8]) {
    let input = &mut &data[..];
    if let Ok(era) = Era::decode(input) {
        assert_eq!(era.encode(), data[..data.len() - input.len()], "era round trip");
        let current = data.iter().fold(0u64, |n, b| n.rotate_left(8) ^ *b as u64);
        let birth = era.birth(current);
        assert!(birth <= current || matches!(era, Era::Mortal { phase, .. } if birth == phase));
    }
    if data.len() >= 16 {
        let period = u64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
        let current = u64::from_le_bytes(data[8..16].try_into().expect("8 bytes"));
        let era = Era::mortal(period, current);
        assert_eq!(Era::decode(&mut &era.encode()[..]).ok(), Some(era), "a built era decodes");
        let (birth, period) = (era.birth(current), era.period().expect("mortal"));
        assert!(birth <= current && current - birth < period, "{era:?} does not hold block {current}");
    }
}

/// The extrinsic decoder: a first byte 0 makes the rest call bytes (decoded by the fixture's
/// metadata, pinned and not); otherwise the bytes are a SignerPayloadJSON, read into a typed
/// payload that must write back to itself and encode to signing bytes.
pub fn extrinsic(data: &[u8]) {
    let facts = &chain_state().facts;
    if let Some((0, call)) = data.split_first() {
        for layout in [Layout::Pinned, Layout::NodeMetadata] {
            let _ = calls::decode(facts, call, layout);
        }
        return;
    }
    // A wallet's signed transaction (`signedTransaction`, a polkadot-api `signTx`), held to a
    // payment it was asked to sign: refused or accepted, never a panic.
    if let Some((1, signed)) = data.split_first() {
        let asked = UnsignedPayload {
            address: AccountId([0xd4; 32]),
            method: calls::native_transfer(facts, &[0x8e; 32], 10_000_000_000, Layout::Pinned).expect("a call"),
            era: Era::mortal(64, 1_234_566),
            block_hash: [0x11; 32],
            block_number: 1_234_566,
            genesis_hash: chain_state().genesis_hash,
            nonce: 7,
            tip: 0,
            spec_version: 20000,
            transaction_version: 1,
            signed_extensions: facts.extension_names(),
            metadata_hash: None,
            has_mode: facts.has_metadata_hash_extension(),
        };
        if let Ok(parts) = crate::vara::signed_extrinsic::decode(signed, facts) {
            if crate::vara::signed_extrinsic::check_matches(&parts, &asked, facts).is_ok() {
                assert_eq!(parts.call, asked.method, "an accepted transaction carries the call asked");
            }
        }
        return;
    }
    let Ok(json) = crate::json::from_bytes::<SignerPayloadJson>(data) else { return };
    let Ok(unsigned) = UnsignedPayload::from_json(&json) else { return };
    let again = UnsignedPayload::from_json(&unsigned.to_json(VARA_SS58_PREFIX)).expect("a written payload reads");
    assert_eq!(again, unsigned, "SignerPayloadJSON round trip");
    let _ = unsigned.signing_bytes(facts);
}

/// Reads fixed-size values off the fuzz input, zeros once it runs out.
#[cfg(feature = "keypair")]
struct Fields<'a>(&'a [u8]);

#[cfg(feature = "keypair")]
impl Fields<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
    fn u128(&mut self) -> u128 {
        u128::from_le_bytes(self.take())
    }
}

/// Build → encode → decode → the same payment: a payment made from the fuzz bytes (payer seed,
/// recipient, amount, VARA or token in either Sails dialect, nonce, block, era, tip, x402
/// version) is signed, put in its version's header, decoded and inspected as a server would,
/// and must say what was built.
#[cfg(feature = "keypair")]
pub fn roundtrip(data: &[u8]) {
    paid_header(data);
}

/// The header [`roundtrip`] builds and checks from `data` (the seeds of other targets).
#[cfg(feature = "keypair")]
pub fn paid_header(data: &[u8]) -> String {
    use crate::signer::keypair::{KeyPolicy, Keypair};
    let f = &mut Fields(data);
    let chain = chain_state();
    let keypair = Keypair::from_seed_with(&f.take::<32>(), KeyPolicy { allow_development_keys: true })
        .expect("any 32 bytes are a seed");
    let pay_to = AccountId(f.take());
    let flags = f.u8();
    let (v2, token, hashed) = (flags & 1 == 1, flags & 2 == 2, flags & 4 == 4);
    let dialect = if flags & 8 == 8 { Dialect::Header } else { Dialect::Named };
    let program = AccountId(f.take());
    let amount = if token { U256::from_little_endian(&f.take::<32>()) } else { U256::from(f.u128()) };
    let amount = amount.max(U256::one());
    let (nonce, block, gas_limit, tip) = (f.u32(), f.u32(), f.u64(), f.u128());
    let period = 4u64 << (f.u8() % 11);
    let block_hash: [u8; 32] = f.take();

    let network = Network::VaraTestnet;
    let asset = token.then(|| program.to_hex());
    let entry = if v2 {
        json!({"scheme": "exact", "network": network.caip2(), "amount": amount.to_string(),
            "asset": asset.clone().unwrap_or("vara".into()), "payTo": pay_to.to_ss58(VARA_SS58_PREFIX),
            "maxTimeoutSeconds": 60})
    } else {
        json!({"scheme": "exact", "network": network.name(), "maxAmountRequired": amount.to_string(),
            "asset": asset, "payTo": pay_to.to_ss58(VARA_SS58_PREFIX), "resource": "http://x/paid",
            "maxTimeoutSeconds": 60})
    };
    let version = if v2 { 2 } else { 1 };
    let offer =
        Offer::from_json(json!({"x402Version": version, "resource": {"url": "http://x/paid"}, "accepts": [entry]}))
            .expect("an offer");
    let requirement = offer.requirement(&offer.entries()[0]).expect("a valid requirement");

    let facts = &chain.facts;
    let method = match requirement.asset {
        Asset::Native => calls::native_transfer(facts, &pay_to.0, requirement.native_amount(), Layout::Pinned),
        Asset::Vft(p) => calls::vft_transfer(facts, &p.0, &pay_to.0, amount, dialect, gas_limit, Layout::Pinned),
    }
    .expect("the payment call builds");
    let has_mode = facts.has_metadata_hash_extension();
    let unsigned = UnsignedPayload {
        address: AccountId(keypair.public_key()),
        method,
        era: Era::mortal(period, block as u64),
        block_hash,
        block_number: block,
        genesis_hash: chain.genesis_hash,
        nonce,
        tip,
        spec_version: chain.spec_version,
        transaction_version: chain.transaction_version,
        signed_extensions: facts.extension_names(),
        metadata_hash: (has_mode && hashed).then_some([0x5a; 32]),
        has_mode,
    };
    let mut signature = vec![crate::signer::SR25519_TYPE_BYTE];
    signature.extend_from_slice(&keypair.sign_raw(&unsigned.signing_bytes(facts).expect("signing bytes")));
    let exact = ExactVaraPayload {
        transaction: unsigned.to_json(VARA_SS58_PREFIX),
        signature: crate::hexutil::encode(&signature),
    };

    let header = offer.payment(&requirement, exact.clone(), "pay_0123456789abcdef");
    assert_eq!(proto::header_version(&header.value), Some(version as u64));
    let (decoded, declared_asset) = if v2 {
        let p = v2::PaymentPayload::from_header(&header.value).expect("the v2 header decodes");
        (p.payload, p.accepted.get("asset").and_then(Value::as_str).map(str::to_string))
    } else {
        let p = v1::PaymentPayload::from_header(&header.value).expect("the v1 header decodes");
        (p.payload, p.asset)
    };
    assert_eq!(decoded, exact, "the header carries the payment unchanged");
    let summary = inspect::inspect(&decoded, network, declared_asset.as_deref(), chain, Layout::Pinned)
        .unwrap_or_else(|e| panic!("the payment does not inspect: {e}"));
    inspect::matches_requirement(&summary, &requirement).expect("the payment pays what was asked");
    assert_eq!(summary.unsigned, unsigned);
    assert_eq!(summary.signature, signature);
    assert_eq!((summary.payer, summary.pay_to, summary.amount), (unsigned.address, pay_to, amount));
    assert_eq!((summary.nonce, summary.tip, summary.block_hash), (nonce, tip, block_hash));
    assert_eq!(summary.gas_limit, token.then_some(gas_limit));
    let until = summary.valid_until.expect("a mortal era");
    assert!(summary.valid_from <= block as u64 && block as u64 <= until, "{summary:?}");
    header.value
}
