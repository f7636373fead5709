// x402 version 2 end to end, offline. The seller is the real SDK: @x402/express's
// paymentMiddleware with the Vara scheme server and an in-process facilitator built on
// polkadot-js (verify: the reference x402-vara's signature check plus a check of the signed
// call against the requirements; settle: submit and wait for execution), on a real Vara
// runtime under chopsticks. It is paid by (a) this package's fetch wrapper, (b) @x402/fetch
// and (c) @x402/axios with varaExactScheme; and, through registerV1, the reference x402-vara
// v1 server. The local chain reports genesis 0x4545…, so it is addressed as the testnet id
// with that genesis hash expected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import axios from 'axios';
import { x402Client, wrapFetchWithPayment, decodePaymentResponseHeader } from '@x402/fetch';
import { wrapAxiosWithPayment, x402Client as AxiosX402Client } from '@x402/axios';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { wasm } from '../support/wasm-pkg.mjs';
import { startChain, waitUntil, VARA } from '../support/local-chain.mjs';
import { startV2Server } from '../support/x402-v2-server.mjs';
import { startReferenceServer } from '../support/reference-server.mjs';

const { varaExactScheme, VARA_TESTNET } = await import('../../dist/js/x402.js');

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 30_000_000_000n; // 0.03 VARA
const TOKEN = '0x' + 'ab'.repeat(32);
const decode = (header) => JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64');
let chain, api, server, alice, eve, options;

async function requirementsOf(path) {
  const r = await fetch(`${server.url}${path}`);
  assert.equal(r.status, 402);
  return decode(r.headers.get('payment-required'));
}

/** Pays with `pay()`, then expects 200 and Bob's balance up by exactly the price. */
async function paysOnce(pay) {
  const bobBefore = await chain.freeBalance(BOB);
  const result = await pay();
  assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) !== bobBefore), 'Bob was paid');
  assert.equal(await chain.freeBalance(BOB), bobBefore + PRICE);
  return result;
}

/** A signer that counts what it is asked to sign. */
function countingSigner() {
  const signer = { address: alice.address, calls: 0, async signPayload(_p, bytes) {
    signer.calls += 1;
    return { signature: '0x01' + Buffer.from(alice.sign(bytes)).toString('hex') };
  } };
  return signer;
}

const sdkClient = (signer, opts = options) => new x402Client()
  .register(VARA_TESTNET, varaExactScheme(signer, opts))
  .setSpendControls({ allowedAssets: [{ network: 'polkadot:*', asset: 'vara', maxAmountPerPayment: String(PRICE) }] });

before(async () => {
  await cryptoWaitReady();
  chain = await startChain();
  api = await chain.api();
  alice = wasm.Keypair.fromSuri('//Alice');
  eve = wasm.Keypair.fromSuri('//Eve');
  await chain.fund(alice.address, 1_000_000n * VARA);
  await chain.fund(eve.address, 1000n * VARA);
  await chain.fund(BOB, 100n * VARA);
  server = await startV2Server({ api, genesisHash: chain.genesisHash, payTo: BOB, price: PRICE, tokenAsset: TOKEN, tokenPrice: 1000 });
  options = { rpcUrls: { [VARA_TESTNET]: chain.httpUrl }, genesisHashes: { [VARA_TESTNET]: chain.genesisHash } };
});
after(async () => {
  await server?.stop();
  await chain?.stop();
});

test('unpaid: 402 with a v2 PAYMENT-REQUIRED header: CAIP-2 network, asset "vara", amount in planck', async () => {
  const required = await requirementsOf('/paid');
  assert.equal(required.x402Version, 2);
  assert.match(required.resource.url, /\/paid$/);
  assert.deepEqual(required.accepts, [{
    scheme: 'exact', network: VARA_TESTNET, amount: String(PRICE), asset: 'vara', payTo: BOB, maxTimeoutSeconds: 120,
    extra: { name: 'VARA', decimals: 12 },
  }]);
});

test('(a) our fetch wrapper pays v2: PAYMENT-SIGNATURE, receipt from PAYMENT-RESPONSE, Bob +price', async () => {
  const required = await requirementsOf('/paid');
  const pay = wasm.wrapFetchWithPayment(fetch, alice, options);
  const response = await paysOnce(() => pay(`${server.url}/paid`));
  assert.equal(response.status, 200, await response.clone().text());
  assert.deepEqual(await response.json(), { ok: true, joke: 'a VARA walks into a bar' });
  const receipt = wasm.getPaymentReceipt(response);
  // One receipt shape for both versions: PAYMENT-RESPONSE's transaction/network as txHash/networkId.
  assert.equal(receipt.settlement.success, true);
  assert.match(receipt.settlement.txHash, /^0x[0-9a-f]{64}$/);
  assert.equal(receipt.settlement.networkId, VARA_TESTNET);
  assert.equal(receipt.settlement.payer, alice.address);
  assert.equal(receipt.summary.amount, String(PRICE));
  assert.equal(receipt.summary.payer, alice.address);
  const sent = server.served.at(-1);
  assert.equal(sent.x402Version, 2);
  assert.deepEqual(sent.accepted, required.accepts[0]);
  assert.deepEqual(sent.resource, required.resource);
});

test('(a) a declared payment-identifier is echoed with an id of the allowed form', async () => {
  const required = await requirementsOf('/paid-id');
  const pay = wasm.wrapFetchWithPayment(fetch, alice, options);
  const response = await paysOnce(() => pay(`${server.url}/paid-id`));
  assert.equal(response.status, 200);
  const { extensions } = server.served.at(-1);
  const declared = required.extensions['payment-identifier'];
  assert.deepEqual(extensions['payment-identifier'].schema, declared.schema);
  assert.equal(extensions['payment-identifier'].info.required, true);
  assert.match(extensions['payment-identifier'].info.id, /^[A-Za-z0-9_-]{16,128}$/);
});

test('(b) @x402/fetch with varaExactScheme pays: 200, PAYMENT-RESPONSE, Bob +price', async () => {
  const signer = countingSigner();
  const pay = wrapFetchWithPayment(fetch, sdkClient(signer));
  const response = await paysOnce(() => pay(`${server.url}/paid`));
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal((await response.json()).ok, true);
  const settlement = decodePaymentResponseHeader(response.headers.get('payment-response'));
  assert.equal(settlement.success, true);
  assert.equal(settlement.network, VARA_TESTNET);
  assert.equal(settlement.payer, alice.address);
  assert.match(settlement.transaction, /^0x[0-9a-f]{64}$/);
  assert.equal(signer.calls, 1);
});

test('(c) @x402/axios 2.11 with varaExactScheme pays (a 2.27 x402Client, and its own): 200, Bob +price', async () => {
  // A wildcard registration, as a multi-chain client would write it.
  const client = new x402Client().register('polkadot:*', varaExactScheme(alice, options))
    .setSpendControls({ allowedAssets: [{ network: 'polkadot:*', asset: 'VARA', maxAmountPerPayment: String(PRICE) }] });
  const response = await paysOnce(() => wrapAxiosWithPayment(axios.create(), client).get(`${server.url}/paid`));
  assert.equal(response.status, 200);
  assert.equal(response.data.ok, true);
  const settlement = decodePaymentResponseHeader(response.headers['payment-response']);
  assert.equal(settlement.success, true);
  assert.match(settlement.transaction, /^0x[0-9a-f]{64}$/);
  // @x402/axios's own (2.11) x402Client, which has no spend controls: our limits alone.
  const own = new AxiosX402Client().register(VARA_TESTNET, varaExactScheme(alice, options));
  assert.equal((await paysOnce(() => wrapAxiosWithPayment(axios.create(), own).get(`${server.url}/paid`))).status, 200);
});

test('SDK spend controls: without an allowedAssets entry for "vara" the SDK refuses and nothing is signed', async () => {
  const signer = countingSigner();
  const bare = new x402Client().register(VARA_TESTNET, varaExactScheme(signer, options));
  await assert.rejects(wrapFetchWithPayment(fetch, bare)(`${server.url}/paid`), /rejected by spendControls/);
  const capped = new x402Client().register(VARA_TESTNET, varaExactScheme(signer, options))
    .setSpendControls({ allowedAssets: [{ network: 'polkadot:*', asset: 'vara', maxAmountPerPayment: String(PRICE - 1n) }] });
  await assert.rejects(wrapFetchWithPayment(fetch, capped)(`${server.url}/paid`), /maxAmountPerPayment/);
  assert.equal(signer.calls, 0);
});

/** Pays through @x402/fetch expecting a refusal; the SDK wraps errors in plain ones, its
 *  onPaymentCreationFailure hook still sees ours with their code. */
async function refusedCode(client, path = '/paid') {
  let error;
  client.onPaymentCreationFailure(async (ctx) => { error = ctx.error; });
  await assert.rejects(wrapFetchWithPayment(fetch, client)(`${server.url}${path}`), /Failed to create payment payload/);
  assert.equal(error?.name, 'X402Error');
  return error.code;
}

test('our limits, consent and genesis check still apply inside the SDK; the lower of ours and its cap wins', async () => {
  const signer = countingSigner();
  const { accepts: [requirement] } = await requirementsOf('/paid');
  // Our maxAmount below the price, the SDK's cap at it: ours refuses.
  assert.equal(await refusedCode(sdkClient(signer, { ...options, maxAmount: { VARA: String(PRICE - 1n) } })), 'AMOUNT_OVER_LIMIT');
  // The SDK's cap handed to the scheme directly, ours higher: the SDK's is honoured.
  const scheme = varaExactScheme(signer, { ...options, maxAmount: { VARA: String(10n * PRICE) } });
  await assert.rejects(scheme.createPaymentPayload(2, requirement, { maxAmountPerPayment: String(PRICE - 1n) }), (e) => e.code === 'AMOUNT_OVER_LIMIT');
  assert.equal(await refusedCode(sdkClient(signer, { ...options, onBeforePayment: () => false })), 'SIGNER_REJECTED');
  const elsewhere = { ...options, genesisHashes: { [VARA_TESTNET]: '0x' + '46'.repeat(32) } };
  assert.equal(await refusedCode(sdkClient(signer, elsewhere)), 'WRONG_CHAIN');
  assert.equal(await refusedCode(sdkClient(signer, { ...options, recipients: [alice.address] })), 'RECIPIENT_NOT_ALLOWED');
  assert.equal(signer.calls, 0);
});

test('a validly signed payment of less than the price is refused by the facilitator; nothing runs on chain', async () => {
  const { accepts: [requirement], resource } = await requirementsOf('/paid');
  // Eve signs a transfer of price - 1, then claims the seller's own terms in `accepted`. (Eve,
  // not Alice: createPaymentHeader hands out the payer's next nonce for good, and a header
  // never settled would leave a gap before Alice's later payments.)
  const cheaper = await wasm.createPaymentHeader({ ...requirement, amount: String(PRICE - 1n) }, eve, { ...options });
  const tampered = { ...cheaper.payload, resource, accepted: requirement };
  const nonce = await chain.nonce(eve.address);
  const bobBefore = await chain.freeBalance(BOB);
  const r = await fetch(`${server.url}/paid`, { headers: { 'PAYMENT-SIGNATURE': encode(tampered) } });
  assert.equal(r.status, 402);
  assert.equal(decode(r.headers.get('payment-required')).error, 'invalid_exact_vara_payload_amount');
  // The facilitator's settle refuses it too, and the reference's verify would have let it through.
  const settled = await server.facilitator.settle(tampered, requirement);
  assert.deepEqual([settled.success, settled.errorReason], [false, 'invalid_exact_vara_payload_amount']);
  const { loadReference } = await import('../support/reference-server.mjs');
  const reference = await loadReference();
  assert.equal((await reference.verifyWithApi(api)({ payload: tampered.payload })).isValid, true);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(await chain.nonce(eve.address), nonce);
  assert.equal(await chain.freeBalance(BOB), bobBefore);
});

test('edited after signing: the call bytes (bad signature) or the accepted amount (terms mismatch) are refused', async () => {
  const { accepts: [requirement] } = await requirementsOf('/paid');
  const { payload } = await wasm.createPaymentHeader(requirement, eve, { ...options });
  const { transaction } = payload.payload;
  // The same call paying 0.04 VARA instead of 0.03, put in place of the signed one.
  const method = api.tx.balances.transferKeepAlive(BOB, PRICE + VARA / 100n).method.toHex();
  const editedCall = { ...payload, payload: { ...payload.payload, transaction: { ...transaction, method } } };
  const moreRequired = { ...requirement, amount: String(PRICE + VARA / 100n) };
  assert.equal((await server.facilitator.verify(editedCall, moreRequired)).invalidReason, 'payment_requirements_mismatch');
  const alsoAccepted = { ...editedCall, accepted: moreRequired };
  assert.equal((await server.facilitator.verify(alsoAccepted, moreRequired)).invalidReason, 'invalid_exact_vara_payload_signature');
  const editedTerms = { ...payload, accepted: { ...requirement, amount: String(PRICE - 1n) } };
  assert.equal((await server.facilitator.verify(editedTerms, requirement)).invalidReason, 'payment_requirements_mismatch');
  // Through the seller: its own terms no longer match, so the facilitator is not even asked.
  const r = await fetch(`${server.url}/paid`, { headers: { 'PAYMENT-SIGNATURE': encode(editedTerms) } });
  assert.equal(r.status, 402);
  assert.equal(decode(r.headers.get('payment-required')).error, 'No matching payment requirements');
  // The untouched payment still verifies: the refusals above are about the edits.
  assert.deepEqual(await server.facilitator.verify(payload, requirement), { isValid: true, payer: eve.address });
});

test('a settled payment presented again is refused (nonce already used); it pays only once', async () => {
  const response = await paysOnce(() => wrapFetchWithPayment(fetch, sdkClient(alice))(`${server.url}/paid`));
  assert.equal(response.status, 200);
  const replay = server.served.at(-1);
  const bobBefore = await chain.freeBalance(BOB);
  const r = await fetch(`${server.url}/paid`, { headers: { 'PAYMENT-SIGNATURE': encode(replay) } });
  assert.equal(r.status, 402);
  assert.equal(decode(r.headers.get('payment-required')).error, 'invalid_exact_vara_payload_nonce');
  assert.equal(await chain.freeBalance(BOB), bobBefore);
});

test('a payer who could pay the amount but not the fee too is refused before signing, the fee as the runtime says', async (t) => {
  // Dave holds exactly the price plus the existential deposit: the transfer would leave the
  // deposit, but the fee comes on top, so the chain would take the fee and fail the transfer.
  const dave = wasm.Keypair.fromSuri('//Dave');
  await chain.fund(dave.address, PRICE + api.consts.balances.existentialDeposit.toBigInt());
  const { partialFee } = await api.tx.balances.transferKeepAlive(BOB, PRICE).paymentInfo(dave.address);
  let signed = false;
  const signer = { address: dave.address, signPayload: async () => { signed = true; throw new Error('must not be asked'); } };
  await assert.rejects(wasm.wrapFetchWithPayment(fetch, signer, options)(`${server.url}/paid`), (e) => {
    assert.equal(e.code, 'INSUFFICIENT_BALANCE', e.message);
    // polkadot-js's estimate of the same transfer's fee, in VARA as the message shows it.
    const fee = Number(partialFee.toBigInt()) / 1e12;
    const said = Number(e.message.match(/plus the fee \(([\d.]+) VARA/)[1]);
    t.diagnostic(`fee: ours ${said} VARA, polkadot-js paymentInfo ${fee} VARA`);
    assert.ok(Math.abs(said - fee) / fee < 0.05, `fee ${said} VARA, polkadot-js says ${fee} VARA`);
    return true;
  });
  assert.equal(signed, false);
});

test('a failed settlement (the payer drained after signing) comes back as a 402 and a typed error', async () => {
  // Dave is funded when the client checks, and drained to the price plus the existential
  // deposit before he signs: the signature and call verify, the chain takes the fee and fails
  // the transfer at settlement; the seller answers 402 with success: false.
  const dave = wasm.Keypair.fromSuri('//Dave');
  await chain.fund(dave.address, 100n * VARA);
  const drain = () => chain.fund(dave.address, PRICE + api.consts.balances.existentialDeposit.toBigInt());
  const bobBefore = await chain.freeBalance(BOB);
  const pay = wasm.wrapFetchWithPayment(fetch, dave, { ...options, onBeforePayment: drain });
  await assert.rejects(pay(`${server.url}/paid`), (e) => e.name === 'X402Error' && e.code === 'SETTLEMENT_FAILED');
  assert.equal(await chain.freeBalance(BOB), bobBefore);
});

test('an SDK payment the seller refused does not hold up the next one from the same account', async () => {
  // Ferdie is left the price plus the existential deposit: his first payment is included but
  // fails (the transfer would leave less than the deposit once the fee is taken), so the
  // seller refuses it and the scheme's onPaymentResponse hook gives it back (releasePayment).
  // The chain did use that nonce, so the next payment must read it again and take the one
  // after, not wait behind or reuse it. (x402-scheme.test.mjs shows a nonce the chain did not
  // use being handed out again.)
  const ferdie = wasm.Keypair.fromSuri('//Ferdie');
  await chain.fund(ferdie.address, 100n * VARA);
  // Drained before he signs the first payment only (after the client's balance check).
  let drained = false;
  const drainOnce = async () => {
    if (!drained) await chain.fund(ferdie.address, PRICE + api.consts.balances.existentialDeposit.toBigInt());
    drained = true;
  };
  const pay = wrapFetchWithPayment(fetch, sdkClient(ferdie, { ...options, onBeforePayment: drainOnce }));
  assert.equal((await pay(`${server.url}/paid`)).status, 402);
  await chain.fund(ferdie.address, 1000n * VARA);
  const next = (await api.rpc.system.accountNextIndex(ferdie.address)).toNumber();
  const response = await pay(`${server.url}/paid`);
  assert.equal(response.status, 200, JSON.stringify(decode(response.headers.get('payment-response') ?? 'e30=')));
  assert.equal(parseInt(server.served.at(-1).payload.transaction.nonce, 16), next, "the chain's next nonce");
});

test('VFT in v2: asset = program id; the facilitator checks the Sails Vft/Transfer and the extrinsic executes', async () => {
  // No VFT program runs under chopsticks (Gear's queue does not process): the proof stops at
  // the extrinsic's success in a block, which the facilitator's settle waits for.
  const { accepts: [requirement] } = await requirementsOf('/paid-token');
  assert.deepEqual([requirement.asset, requirement.amount, requirement.extra], [TOKEN, '1000', { name: 'TOKEN', decimals: 6 }]);
  const client = new x402Client().register(VARA_TESTNET, varaExactScheme(alice, { ...options, maxAmount: { [TOKEN]: '1000' }, gasLimit: 'max' }))
    .setSpendControls({ allowedAssets: [{ network: VARA_TESTNET, asset: TOKEN, maxAmountPerPayment: '1000' }] });
  const response = await wrapFetchWithPayment(fetch, client)(`${server.url}/paid-token`);
  assert.equal(response.status, 200, response.headers.get('payment-required') && decode(response.headers.get('payment-required')).error);
  const settlement = decodePaymentResponseHeader(response.headers.get('payment-response'));
  const block = await api.rpc.chain.getBlock();
  const ext = block.block.extrinsics.find((x) => x.hash.toHex() === settlement.transaction);
  assert.equal(`${ext.method.section}.${ext.method.method}`, 'gear.sendMessage');
  assert.equal(ext.method.args[0].toHex(), TOKEN);
});

test('registerV1: @x402/fetch with varaExactScheme pays the reference x402-vara v1 server', async () => {
  // The SDK crashes on a v1 requirement without `asset` when allowedAssets is a list
  // ("reading 'toLowerCase'"), so a v1 user sets allowedAssets: true and our limits cap it.
  const v1 = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: BOB, price: String(PRICE) });
  try {
    const client = new x402Client().registerV1('vara-testnet', varaExactScheme(alice, {
      rpcUrls: { 'vara-testnet': chain.httpUrl }, genesisHashes: { 'vara-testnet': chain.genesisHash }, maxAmount: { VARA: String(PRICE) },
    })).setSpendControls({ allowedAssets: true });
    const response = await paysOnce(() => wrapFetchWithPayment(fetch, client)(`${v1.url}/paid`));
    assert.equal(response.status, 200);
    assert.equal((await response.json()).ok, true);
    assert.equal(wasm.decodePaymentHeader(v1.served.at(-1)).network, 'vara-testnet');
  } finally {
    await v1.stop();
  }
});
