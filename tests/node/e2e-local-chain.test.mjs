// End to end, offline: the reference x402-vara Express server and its facilitator logic,
// a real Vara runtime (testnet genesis runtime under chopsticks), and this package paying
// with //Alice through the fetch wrapper and the Axios shim.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import axios from 'axios';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { wasm } from '../support/wasm-pkg.mjs';
import { startChain, waitUntil, VARA } from '../support/local-chain.mjs';
import { startReferenceServer } from '../support/reference-server.mjs';

const { withX402Interceptor } = await import('../../dist/js/axios.js');

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 30_000_000_000n; // 0.03 VARA
const TOKEN = '0x' + 'ab'.repeat(32);
let chain, server, alice, options;

before(async () => {
  await cryptoWaitReady();
  chain = await startChain();
  alice = wasm.Keypair.fromSuri('//Alice');
  await chain.fund(alice.address, 1_000_000n * VARA);
  await chain.fund(BOB, 100n * VARA);
  server = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: BOB, price: String(PRICE), tokenAsset: TOKEN, tokenPrice: '1000' });
  options = {
    rpcUrls: { 'vara-testnet': chain.httpUrl },
    genesisHashes: { 'vara-testnet': chain.genesisHash },
    maxAmount: { VARA: String(PRICE), [TOKEN]: '1000' },
  };
});
after(async () => {
  await server?.stop();
  await chain?.stop();
});

test('unpaid request: the reference server answers 402 with its requirements', async () => {
  const r = await fetch(`${server.url}/paid`);
  assert.equal(r.status, 402);
  const body = await r.json();
  assert.equal(body.accepts[0].maxAmountRequired, String(PRICE));
  assert.equal(body.accepts[0].payTo, BOB);
});

test('fetch wrapper pays: 200, receipt, payTo +amount exactly, payer nonce +1', async () => {
  const bobBefore = await chain.freeBalance(BOB);
  const nonceBefore = await chain.nonce(alice.address);
  const pay = wasm.wrapFetchWithPayment(fetch, alice, options);
  const response = await pay(`${server.url}/paid`);
  assert.equal(response.status, 200, await response.clone().text());
  assert.deepEqual(await response.json(), { ok: true, joke: 'a VARA walks into a bar' });
  const receipt = wasm.getPaymentReceipt(response);
  assert.match(receipt.settlement.txHash, /^0x[0-9a-f]{64}$/);
  assert.equal(receipt.summary.amount, String(PRICE));
  assert.equal(receipt.summary.payer, alice.address);
  assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) === bobBefore + PRICE), 'payTo rose by exactly the price');
  assert.equal(await chain.nonce(alice.address), nonceBefore + 1);
});

test('Axios shim pays through the same core', async () => {
  const bobBefore = await chain.freeBalance(BOB);
  const client = withX402Interceptor(axios.create({ baseURL: server.url }), alice, options);
  const response = await client.get('/paid');
  assert.equal(response.status, 200);
  assert.equal(response.data.ok, true);
  assert.match(response.x402.settlement.txHash, /^0x[0-9a-f]{64}$/);
  assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) === bobBefore + PRICE));
});

test('Axios shim accepts a polkadot-js keyring pair, like the reference', async () => {
  const pair = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//Alice');
  const nonceBefore = await chain.nonce(alice.address);
  const client = withX402Interceptor(axios.create({ baseURL: server.url }), pair, options);
  assert.equal((await client.get('/paid')).status, 200);
  // The reference settles without waiting for inclusion: wait for it before the next test.
  assert.ok(await waitUntil(async () => (await chain.nonce(alice.address)) === nonceBefore + 1));
});

test('the chain rejects a transfer below the existential deposit to a fresh account; the client refuses to sign one', async () => {
  const api = await chain.api();
  const ed = api.consts.balances.existentialDeposit.toBigInt();
  const fresh = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//Fresh//1');
  const amount = ed / 10n;
  // The chain's own verdict, on a transfer signed by polkadot-js. Immortal: polkadot-js
  // anchors mortal eras at the finalized head, which under chopsticks is the genesis block,
  // whose hash chopsticks reports as 0x4545… while the header hashes to something else.
  const pair = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
  const transfer = await api.tx.balances.transferKeepAlive(fresh.address, amount).signAsync(pair, { era: 0 });
  const txHash = (await api.rpc.author.submitExtrinsic(transfer)).toHex();
  let verdict;
  assert.ok(await waitUntil(async () => {
    const hash = (await api.rpc.chain.getHeader()).hash;
    const block = await api.rpc.chain.getBlock(hash);
    const index = block.block.extrinsics.findIndex((x) => x.hash.toHex() === txHash);
    if (index < 0) return false;
    const events = await (await api.at(hash)).query.system.events();
    const failed = events.find((e) => e.phase.isApplyExtrinsic && e.phase.asApplyExtrinsic.toNumber() === index && api.events.system.ExtrinsicFailed.is(e.event));
    verdict = failed ? api.registry.findMetaError(failed.event.data[0].asModule) : null;
    return true;
  }), 'the transfer is included');
  assert.equal(`${verdict.section}.${verdict.name}`, 'balances.ExistentialDeposit');
  // Our client, asked for the same payment, refuses before signing.
  const requirements = { scheme: 'exact', network: 'vara-testnet', maxAmountRequired: String(amount), resource: 'r', payTo: fresh.address, maxTimeoutSeconds: 60 };
  let signed = false;
  const signer = { address: alice.address, signPayload: async () => { signed = true; throw new Error('must not be asked'); } };
  await assert.rejects(wasm.createPaymentHeader(requirements, signer, { ...options, maxAmount: { VARA: String(amount) } }),
    (e) => e.code === 'BELOW_EXISTENTIAL_DEPOSIT');
  assert.equal(signed, false);
});

test('VFT token payment: Gear.send_message with the Vft/Transfer payload is included', async () => {
  // Gear's message queue does not run under chopsticks (lazy pages are missing), and no VFT
  // program is deployed here: the proof stops at inclusion — extrinsic success and the
  // message with our Sails payload in the block — not at the token's execution.
  // gear_calculateHandleGas is not served by chopsticks either, hence gasLimit 'max'.
  const api = await chain.api();
  const pay = wasm.wrapFetchWithPayment(fetch, alice, { ...options, gasLimit: 'max' });
  const response = await pay(`${server.url}/paid-token`);
  assert.equal(response.status, 200);
  const { settlement, summary } = wasm.getPaymentReceipt(response);
  assert.equal(summary.asset, TOKEN);
  assert.equal(summary.gasLimit, Number(api.consts.gearGas.blockGasLimit.toBigInt()));
  let found;
  assert.ok(await waitUntil(async () => {
    const hash = (await api.rpc.chain.getHeader()).hash;
    const block = await api.rpc.chain.getBlock(hash);
    const index = block.block.extrinsics.findIndex((x) => x.hash.toHex() === settlement.txHash);
    if (index < 0) return false;
    const events = await (await api.at(hash)).query.system.events();
    found = { ext: block.block.extrinsics[index], events: events.filter((e) => e.phase.isApplyExtrinsic && e.phase.asApplyExtrinsic.toNumber() === index) };
    return true;
  }), 'the extrinsic is in the latest block');
  assert.equal(`${found.ext.method.section}.${found.ext.method.method}`, 'gear.sendMessage');
  assert.equal(found.ext.method.args[0].toHex(), TOKEN);
  const names = found.events.map(({ event }) => `${event.section}.${event.method}`);
  assert.ok(names.includes('system.ExtrinsicSuccess'), names.join(', '));
  const payload = found.ext.method.args[1].toU8a(true);
  const [service, method, to, value] = api.registry.createType('(String, String, [u8; 32], U256)', payload);
  assert.deepEqual([service.toString(), method.toString(), to.toHex(), value.toString()], ['Vft', 'Transfer', u8aToHex(decodeAddress(BOB)), '1000']);
});

test('an unfunded payer is refused before signing: INSUFFICIENT_BALANCE, in VARA', async () => {
  const poor = wasm.Keypair.fromSuri('//Alice//unfunded', { allowDevelopmentKeys: true });
  let signed = false;
  const signer = { address: poor.address, signPayload: async (p, b) => { signed = true; return poor.signPayload(p, b); } };
  const pay = wasm.wrapFetchWithPayment(fetch, signer, options);
  await assert.rejects(pay(`${server.url}/paid`), (e) => e.code === 'INSUFFICIENT_BALANCE' && /fund the account/.test(e.message) && /VARA/.test(e.message));
  assert.equal(signed, false);
});

test('the server failing to settle is SETTLEMENT_FAILED with its status, reason and the receipt; the nonce is reused after', async () => {
  // The payer is drained between two payments: the second is built without reading the chain
  // (a fresh checkpoint, the nonce tracked), so only the chain can refuse it, at settlement.
  const dave = wasm.Keypair.fromSuri('//Dave');
  await chain.fund(dave.address, 100n * VARA);
  const pay = wasm.wrapFetchWithPayment(fetch, dave, options);
  assert.equal((await pay(`${server.url}/paid`)).status, 200);
  const nonce = await (async () => { await waitUntil(async () => (await chain.nonce(dave.address)) === 1); return chain.nonce(dave.address); })();
  await chain.fund(dave.address, 1n);
  const bobBefore = await chain.freeBalance(BOB);
  await assert.rejects(pay(`${server.url}/paid`), (e) => {
    assert.equal(e.code, 'SETTLEMENT_FAILED', e.message);
    assert.equal(e.status, 403);
    assert.match(e.reason, /Settlement error|1010|Invalid/);
    assert.equal(e.receipt.summary.nonce, nonce);
    return true;
  });
  assert.equal(await chain.freeBalance(BOB), bobBefore);
  // Funded again, the next payment gets the refused payment's nonce and executes.
  await chain.fund(dave.address, 100n * VARA);
  const r = await pay(`${server.url}/paid`);
  assert.equal(r.status, 200);
  assert.equal(wasm.getPaymentReceipt(r).summary.nonce, nonce);
  assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) === bobBefore + PRICE));
});
