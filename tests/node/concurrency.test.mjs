// Many payments from one account, against the reference x402-vara server and facilitator on
// the real Vara runtime (chopsticks): every paid request executes on chain, nonces are
// consecutive, a refused payment does not stall the others, and nothing hangs.
//
// The local chain drops a transaction whose nonce is ahead of the account's (a real node
// queues it), so these tests also prove that payments reach the server in nonce order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import axios from 'axios';
import { wasm } from '../support/wasm-pkg.mjs';
import { startChain, waitUntil, freePort, VARA } from '../support/local-chain.mjs';
import { startReferenceServer } from '../support/reference-server.mjs';
import { startProxy, startHangingNode } from '../support/proxy.mjs';

const { withX402Interceptor } = await import('../../dist/js/axios.js');

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 30_000_000_000n; // 0.03 VARA
const INCLUSION = { timeoutMs: 180_000, intervalMs: 250 };
let chain, server, options;

before(async () => {
  chain = await startChain();
  for (const suri of ['//Alice', '//Dave', '//Eve', '//Ferdie']) {
    await chain.fund(wasm.Keypair.fromSuri(suri).address, 1_000_000n * VARA);
  }
  await chain.fund(BOB, 100n * VARA);
  server = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: BOB, price: String(PRICE) });
  options = {
    rpcUrls: { 'vara-testnet': chain.httpUrl },
    genesisHashes: { 'vara-testnet': chain.genesisHash },
    maxAmount: { VARA: String(PRICE) },
  };
});
after(async () => {
  await server?.stop();
  await chain?.stop();
});

const nonceOf = (header) => parseInt(wasm.decodePaymentHeader(header).payload.transaction.nonce, 16);

/** Pays `count` requests at once from one wrapped fetch; returns the responses. */
async function concurrently(pay, url, count) {
  return Promise.all(Array.from({ length: count }, () => pay(url)));
}

async function expectExecuted(payer, nonceBefore, bobBefore, count) {
  const done = await waitUntil(async () => (await chain.nonce(payer)) >= nonceBefore + count, INCLUSION);
  assert.ok(done, `nonce rose by ${(await chain.nonce(payer)) - nonceBefore} of ${count}`);
  assert.equal(await chain.freeBalance(BOB), bobBefore + BigInt(count) * PRICE, 'the seller got exactly count × price');
}

for (const count of [10, 20]) {
  test(`${count} concurrent requests from one account: ${count} payments execute, nonces consecutive`, async () => {
    const alice = wasm.Keypair.fromSuri('//Alice');
    const pay = wasm.wrapFetchWithPayment(fetch, alice, options);
    const [nonceBefore, bobBefore] = [await chain.nonce(alice.address), await chain.freeBalance(BOB)];
    const t0 = performance.now();
    const responses = await concurrently(pay, `${server.url}/paid`, count);
    const ms = performance.now() - t0;
    assert.deepEqual(responses.map((r) => r.status), Array(count).fill(200));
    const nonces = responses.map((r) => wasm.getPaymentReceipt(r).summary.nonce).sort((a, b) => a - b);
    assert.deepEqual(nonces, Array.from({ length: count }, (_, i) => nonceBefore + i));
    await expectExecuted(alice.address, nonceBefore, bobBefore, count);
    console.log(`# ${count} concurrent: all answered in ${ms.toFixed(0)} ms`);
  });
}

test('30 back-to-back requests without waiting for inclusion: 30 payments execute', async () => {
  const alice = wasm.Keypair.fromSuri('//Alice');
  const pay = wasm.wrapFetchWithPayment(fetch, alice, options);
  const [nonceBefore, bobBefore] = [await chain.nonce(alice.address), await chain.freeBalance(BOB)];
  for (let i = 0; i < 30; i++) {
    const r = await pay(`${server.url}/paid`);
    assert.equal(r.status, 200, await r.clone().text());
  }
  await expectExecuted(alice.address, nonceBefore, bobBefore, 30);
});

test('a server refusing one payment of a concurrent batch stalls neither the batch nor the next one', async () => {
  const dave = wasm.Keypair.fromSuri('//Dave');
  let paidSeen = 0;
  const refusedAt = 4;
  // A stand-in for a server that refuses one payment without submitting it (the reference
  // server only refuses invalid ones): the proxy answers the 4th paid retry itself.
  const proxy = await startProxy(server.url, {
    decide: (req) => (req.headers['x-payment'] && ++paidSeen === refusedAt
      ? { status: 403, body: { error: 'Verification error', message: 'refused by policy' } } : null),
  });
  try {
    const pay = wasm.wrapFetchWithPayment(fetch, dave, options);
    const [nonceBefore, bobBefore] = [await chain.nonce(dave.address), await chain.freeBalance(BOB)];
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => pay(`${proxy.url}/paid`)));
    const failed = outcomes.filter((o) => o.status === 'rejected');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].reason.code, 'SETTLEMENT_FAILED');
    assert.equal(failed[0].reason.status, 403);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled' && o.value.status === 200).length, 7);
    // What reached the server: one nonce twice (the refused one, reused), no gap.
    const sent = proxy.paid.map(nonceOf);
    assert.deepEqual([...new Set(sent)].sort((a, b) => a - b), Array.from({ length: 7 }, (_, i) => nonceBefore + i));
    await expectExecuted(dave.address, nonceBefore, bobBefore, 7);
    // The next batch is not stalled.
    const next = await concurrently(pay, `${proxy.url}/paid`, 3);
    assert.deepEqual(next.map((r) => r.status), [200, 200, 200]);
    await expectExecuted(dave.address, nonceBefore + 7, bobBefore + 7n * PRICE, 3);
  } finally {
    await proxy.close();
  }
});

test('a fetch wrapper and an Axios instance paying from one key at once share its nonces', async () => {
  const eve = wasm.Keypair.fromSuri('//Eve');
  const pay = wasm.wrapFetchWithPayment(fetch, eve, options);
  const client = withX402Interceptor(axios.create({ baseURL: server.url }), eve, options);
  const [nonceBefore, bobBefore] = [await chain.nonce(eve.address), await chain.freeBalance(BOB)];
  const results = await Promise.all([
    ...Array.from({ length: 4 }, () => pay(`${server.url}/paid`).then((r) => wasm.getPaymentReceipt(r).summary.nonce)),
    ...Array.from({ length: 4 }, () => client.get('/paid').then((r) => r.x402.summary.nonce)),
  ]);
  assert.deepEqual(results.sort((a, b) => a - b), Array.from({ length: 8 }, (_, i) => nonceBefore + i));
  await expectExecuted(eve.address, nonceBefore, bobBefore, 8);
});

test('a hanging RPC node: the request signal aborts at 3 s with ABORTED, nothing signed', async () => {
  const node = await startHangingNode();
  try {
    // A payer this process has not seen: its nonce must come from the (hanging) node.
    const signer = countingSigner('//Ferdie');
    const pay = wasm.wrapFetchWithPayment(fetch, signer, { ...options, rpcUrls: { 'vara-testnet': node.url }, timeoutMs: 60_000 });
    const t0 = performance.now();
    await assert.rejects(pay(`${server.url}/paid`, { signal: AbortSignal.timeout(3000) }), (e) => e.name === 'X402Error' && e.code === 'ABORTED');
    const ms = performance.now() - t0;
    assert.ok(ms < 6000, `ended after ${ms.toFixed(0)} ms`);
    assert.ok(node.requests() >= 1, 'the node was asked');
    assert.equal(signer.calls, 0);
  } finally {
    await node.close();
  }
});

test('a hanging RPC node with timeoutMs: TIMEOUT naming the node, nothing signed', async () => {
  const node = await startHangingNode();
  try {
    const signer = countingSigner('//Ferdie');
    const pay = wasm.wrapFetchWithPayment(fetch, signer, { ...options, rpcUrls: { 'vara-testnet': node.url }, timeoutMs: 1500 });
    const t0 = performance.now();
    await assert.rejects(pay(`${server.url}/paid`), (e) => e.code === 'TIMEOUT' && e.message.includes(node.url));
    assert.ok(performance.now() - t0 < 5000);
    assert.equal(signer.calls, 0);
  } finally {
    await node.close();
  }
});

test('Axios: its signal and its timeout end a payment stuck on a hanging RPC node, nothing signed', async () => {
  const node = await startHangingNode();
  try {
    const signer = countingSigner('//Ferdie');
    const client = withX402Interceptor(axios.create({ baseURL: server.url }), signer, { ...options, rpcUrls: { 'vara-testnet': node.url }, timeoutMs: 60_000 });
    for (const config of [{ signal: AbortSignal.timeout(2000) }, { timeout: 2000 }]) {
      const t0 = performance.now();
      await assert.rejects(client.get('/paid', config), (e) => e.name === 'X402Error' && e.code === 'ABORTED', JSON.stringify(Object.keys(config)));
      const ms = performance.now() - t0;
      assert.ok(ms < 5000, `${Object.keys(config)}: ended after ${ms.toFixed(0)} ms`);
    }
    assert.equal(signer.calls, 0);
  } finally {
    await node.close();
  }
});

test('failover: a dead first endpoint and a hanging second hand over to the live third', async () => {
  const hanging = await startHangingNode();
  try {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const signer = countingSigner('//Ferdie');
    const rpcUrls = { 'vara-testnet': [dead, hanging.url, chain.httpUrl] };
    const pay = wasm.wrapFetchWithPayment(fetch, signer, { ...options, rpcUrls, timeoutMs: 1500 });
    const [bobBefore] = [await chain.freeBalance(BOB)];
    const r = await pay(`${server.url}/paid`);
    assert.equal(r.status, 200);
    assert.equal(signer.calls, 1);
    assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) === bobBefore + PRICE, INCLUSION));
    // All endpoints failing: one RPC_ERROR naming each and why.
    const none = wasm.wrapFetchWithPayment(fetch, countingSigner('//Ferdie//2'), {
      ...options, rpcUrls: { 'vara-testnet': [dead, hanging.url] }, timeoutMs: 1000,
    });
    await assert.rejects(none(`${server.url}/paid`), (e) => e.code === 'RPC_ERROR' && e.message.includes(dead) && e.message.includes(hanging.url));
  } finally {
    await hanging.close();
  }
});

function countingSigner(suri) {
  const key = wasm.Keypair.fromSuri(suri, { allowDevelopmentKeys: true });
  const signer = {
    address: key.address,
    calls: 0,
    async signPayload(payload, bytes) {
      signer.calls += 1;
      return key.signPayload(payload, bytes);
    },
  };
  return signer;
}
