// One payer at fleet scale, on the real Vara runtime (chopsticks) with blocks every 3 s as on
// Vara: several Node processes paying from one account through a real redis-server (started
// here, no persistence) and `x402-vara-wasm/redis`, against the reference x402-vara server;
// and, in one process, more than one payment per block to a seller that waits for execution.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { wasm } from '../support/wasm-pkg.mjs';
import { waitUntil } from '../support/local-chain.mjs';
import { startReferenceServer } from '../support/reference-server.mjs';
import { startV2Server } from '../support/x402-v2-server.mjs';
import { createVaraFacilitator } from '../support/vara-facilitator.mjs';
import { startFleetPeers, BOB } from '../support/fleet-peers.mjs';
import { startPayer, runFleet } from '../support/fleet.mjs';
import { startProxy } from '../support/proxy.mjs';

const PRICE = 10_000_000_000n; // 0.01 VARA
const V2 = 'polkadot:525639f713f397dcf839bd022cd821f3';
const INCLUSION = { timeoutMs: 120_000, intervalMs: 500 };
let chain, server, redis, env;

let peers;
before(async () => {
  peers = await startFleetPeers({ blockMs: 3000, price: PRICE });
  ({ chain, server, redis, env } = peers);
});
after(async () => peers?.stop());

/** Waits until the payer's nonce stops short of nothing: `count` more than before, and Bob's
 *  balance exactly `count` prices more. */
async function expectExecuted(address, nonceBefore, bobBefore, count, price = PRICE) {
  const done = await waitUntil(async () => (await chain.nonce(address)) >= nonceBefore + count, INCLUSION);
  assert.ok(done, `nonce rose by ${(await chain.nonce(address)) - nonceBefore} of ${count}`);
  // One more block: whatever else was pooled would show now.
  await new Promise((r) => setTimeout(r, 3500));
  assert.equal(await chain.nonce(address), nonceBefore + count, 'no more than count payments executed');
  assert.equal(await chain.freeBalance(BOB), bobBefore + BigInt(count) * price, 'the seller got exactly count × price');
}

test('one process, 3 s blocks, a seller that waits for execution: 10 concurrent payments, several per block', async () => {
  const alice = wasm.Keypair.fromSuri('//Eve');
  const api = await chain.api();
  const facilitator = createVaraFacilitator({ networks: { [V2]: { api, genesisHash: chain.genesisHash } } });
  const v2 = await startV2Server({ facilitator, payTo: BOB, price: PRICE });
  try {
    const options = { rpcUrls: { [V2]: chain.httpUrl }, genesisHashes: { [V2]: chain.genesisHash } };
    const pay = wasm.wrapFetchWithPayment(fetch, alice, options);
    await pay(`${v2.url}/paid?warm`);
    const [nonceBefore, bobBefore] = [await chain.nonce(alice.address), await chain.freeBalance(BOB)];
    const t0 = performance.now();
    // Distinct URLs: each is a purchase of its own (the same request again reuses its payment).
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => pay(`${v2.url}/paid?i=${i}`)));
    const ms = performance.now() - t0;
    assert.deepEqual(responses.map((r) => r.status), Array(10).fill(200));
    const receipts = responses.map((r) => wasm.getPaymentReceipt(r));
    assert.deepEqual(receipts.map((r) => r.summary.nonce).sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => nonceBefore + i));
    const verdicts = await Promise.all(receipts.map((r) => wasm.confirmPayment(r, options)));
    assert.deepEqual(verdicts.map((v) => v.status), Array(10).fill('executed'));
    const blocks = new Set(verdicts.map((v) => v.blockNumber));
    assert.ok(blocks.size < 10, `10 payments in ${blocks.size} blocks: more than one per block`);
    await expectExecuted(alice.address, nonceBefore, bobBefore, 10);
    console.log(`# 10 concurrent, strict v2 seller, 3 s blocks: ${ms.toFixed(0)} ms, ${blocks.size} blocks`);
  } finally {
    await v2.stop();
  }
});

test('4 processes × 10 concurrent payments from one account through Redis: 40 execute, exact balance delta', async () => {
  const address = wasm.Keypair.fromSuri('//Alice').address;
  const [nonceBefore, bobBefore] = [await chain.nonce(address), await chain.freeBalance(BOB)];
  // node-redis in two processes, ioredis in the other two. No seller hangs here: the turn
  // timeout (the bound for one that does, 10 s by default, after which the next payment takes
  // the nonce and at most one of the two executes) is raised so that a loaded machine, where
  // the reference server has taken over 10 s to answer, tests the fault-free sequence.
  const run = await runFleet({
    processes: 4, count: () => 10, env: { ...env, FLEET_SURI: '//Alice', FLEET_PREFIX: 'x402-t1', FLEET_TURN_TIMEOUT_MS: '30000' },
    envOf: (i) => ({ FLEET_CLIENT: i % 2 ? 'ioredis' : 'redis' }),
  });
  for (const r of run.results) assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(run.payments.map((p) => p.status ?? `${p.code}: ${p.message}`), Array(40).fill(200));
  const nonces = run.payments.map((p) => p.nonce).sort((a, b) => a - b);
  assert.deepEqual(nonces, Array.from({ length: 40 }, (_, i) => nonceBefore + i), 'every nonce once, no gap');
  await expectExecuted(address, nonceBefore, bobBefore, 40);
  console.log(`# 4 × 10 through Redis, 3 s blocks: ${run.wallMs.toFixed(0)} ms`);
});

test('kill -9 of a process whose payment its seller holds: the others finish, nothing is paid twice', async () => {
  const address = wasm.Keypair.fromSuri('//Dave').address;
  const [nonceBefore, bobBefore] = [await chain.nonce(address), await chain.freeBalance(BOB)];
  // The victim's seller: a stand-in that holds every paid request and never answers or
  // submits (the reference server cannot be made to hang).
  let held = 0;
  const hanging = await startProxy(server.url, { decide: (req) => (req.headers['x-payment'] ? (held++, new Promise(() => {})) : null) });
  const common = { ...env, FLEET_SURI: '//Dave', FLEET_PREFIX: 'x402-t2', FLEET_LEASE_MS: '2000', FLEET_TURN_TIMEOUT_MS: '4000' };
  try {
    const victim = startPayer({ ...common, FLEET_SERVER: hanging.url, FLEET_COUNT: '3' });
    await waitUntil(async () => held > 0, { timeoutMs: 60_000, intervalMs: 50 });
    const t0 = performance.now();
    const others = runFleet({ processes: 2, count: () => 5, env: common });
    await new Promise((r) => setTimeout(r, 300));
    victim.child.kill('SIGKILL');
    const run = await others;
    const ms = performance.now() - t0;
    assert.equal((await victim.done).signal, 'SIGKILL');
    assert.deepEqual(run.payments.map((p) => p.status ?? `${p.code}: ${p.message}`), Array(10).fill(200));
    // The held payment was never submitted: its nonce went to another payment.
    await expectExecuted(address, nonceBefore, bobBefore, 10);
    console.log(`# a killed holder: the other 10 payments took ${ms.toFixed(0)} ms (turn timeout 4000 ms, lease 2000 ms)`);
  } finally {
    await hanging.close();
  }
});

test('a payer funded for 4 payments, 3 processes paying 18 at once: 4 handed and executed, 14 INSUFFICIENT_BALANCE, none failed on chain', async () => {
  const K = 4;
  const price = 100_000_000_000n; // 0.1 VARA: the default maxAmount
  const key = wasm.Keypair.fromSuri('//Charlie');
  const api = await chain.api();
  const deposit = api.consts.balances.existentialDeposit.toBigInt();
  const fee = (await api.tx.balances.transferKeepAlive(BOB, price).paymentInfo(key.address)).partialFee.toBigInt();
  // K payments and their fees (twice the estimate: ours may be a few bytes longer), the
  // deposit kept, and half a price: never a fifth payment.
  await chain.fund(key.address, deposit + BigInt(K) * (price + 2n * fee) + price / 2n);
  const seller = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: BOB, price: String(price) });
  try {
    const [nonceBefore, bobBefore, freeBefore] = [await chain.nonce(key.address), await chain.freeBalance(BOB), await chain.freeBalance(key.address)];
    const run = await runFleet({
      processes: 3, count: () => 6,
      env: { ...env, FLEET_SERVER: seller.url, FLEET_SURI: '//Charlie', FLEET_PREFIX: 'x402-t4', FLEET_TURN_TIMEOUT_MS: '30000', FLEET_COUNT_SIGNED: '1' },
      envOf: (i) => ({ FLEET_CLIENT: i % 2 ? 'ioredis' : 'redis' }),
    });
    for (const r of run.results) assert.equal(r.code, 0, r.stderr);
    const served = run.payments.filter((p) => p.status === 200);
    const refused = run.payments.filter((p) => p.status !== 200);
    const outcome = run.payments.map((p) => p.status ?? `${p.code}: ${p.message}`).join('\n');
    assert.equal(served.length, K, outcome);
    for (const r of refused) assert.equal(r.code, 'INSUFFICIENT_BALANCE', JSON.stringify(r));
    // Every payment handed out executed, and nothing else reached the chain: the payer's nonce
    // rose by K (a transfer failed for lack of funds would use a nonce too), the seller got K prices.
    await expectExecuted(key.address, nonceBefore, bobBefore, K, price);
    const spent = freeBefore - (await chain.freeBalance(key.address));
    assert.ok(spent > BigInt(K) * price && spent <= BigInt(K) * (price + 2n * fee), `spent ${spent}`);
    const byFleet = refused.filter((r) => /fleet handed out/.test(r.message)).length;
    const signed = run.results.reduce((n, r) => n + r.lines.find((l) => l.done).signed, 0);
    console.log(`# funded for ${K}, 18 payments from 3 processes: ${served.length} executed, ${refused.length} INSUFFICIENT_BALANCE ` +
      `(${byFleet} by the fleet's check, ${refused.length - byFleet} by the process's own), ${signed} signed, ${run.wallMs.toFixed(0)} ms`);
  } finally {
    await seller.stop();
  }
});

test('Redis stopped mid-run: COORDINATOR_ERROR, nothing paid twice; restarted empty, the lane rebuilds from the chain', async () => {
  const address = wasm.Keypair.fromSuri('//Ferdie').address;
  const [nonceBefore, bobBefore] = [await chain.nonce(address), await chain.freeBalance(BOB)];
  const common = { ...env, FLEET_SURI: '//Ferdie', FLEET_PREFIX: 'x402-t3', FLEET_REDIS_TIMEOUT_MS: '1000' };
  const payers = [startPayer({ ...common, FLEET_COUNT: '8' }), startPayer({ ...common, FLEET_COUNT: '8', FLEET_CLIENT: 'ioredis' })];
  // Stop Redis once a few payments were answered.
  await Promise.all(payers.map((p) => p.when((o) => o.status === 200)));
  await redis.stop();
  const results = await Promise.all(payers.map((p) => p.done));
  const payments = results.flatMap((r) => r.lines.filter((l) => 'i' in l));
  const served = payments.filter((p) => p.status === 200);
  const failed = payments.filter((p) => p.status !== 200);
  assert.equal(served.length + failed.length, 16);
  assert.ok(failed.length > 0, 'some payments met the stopped Redis');
  for (const f of failed) assert.equal(f.code, 'COORDINATOR_ERROR', JSON.stringify(f));
  // What was served executed, once each; what failed was never handed to anyone.
  await expectExecuted(address, nonceBefore, bobBefore, served.length);
  // Redis back, empty: the lane starts again from the chain's nonce.
  await redis.start();
  const after = await runFleet({ processes: 2, count: () => 3, env: common });
  assert.deepEqual(after.payments.map((p) => p.status ?? `${p.code}: ${p.message}`), Array(6).fill(200));
  assert.deepEqual(after.payments.map((p) => p.nonce).sort((a, b) => a - b),
    Array.from({ length: 6 }, (_, i) => nonceBefore + served.length + i));
  await expectExecuted(address, nonceBefore, bobBefore, served.length + 6);
  console.log(`# Redis stopped: ${served.length} served, ${failed.length} COORDINATOR_ERROR; after restart 6 of 6`);
});

test('a coordinator that is not one is INVALID_OPTIONS; an unreachable Redis is COORDINATOR_ERROR before signing', async () => {
  const key = wasm.Keypair.fromSuri('//Alice');
  const options = { rpcUrls: { 'vara-testnet': chain.httpUrl }, genesisHashes: { 'vara-testnet': chain.genesisHash } };
  assert.throws(() => wasm.wrapFetchWithPayment(fetch, key, { ...options, coordinator: {} }), (e) => e.code === 'INVALID_OPTIONS');
  const { redisCoordinator } = await import('../../dist/js/redis.js');
  // A lease under a second ends while its holder signs: refused (100 ms re-queued without end).
  const quiet = { sendCommand: async () => null };
  for (const leaseMs of [100, 999, 600_001]) {
    assert.throws(() => wasm.wrapFetchWithPayment(fetch, key, { ...options, coordinator: redisCoordinator(quiet, { leaseMs }) }),
      (e) => e.code === 'INVALID_OPTIONS' && /1000\.\.=600000/.test(e.message), String(leaseMs));
  }
  assert.throws(() => redisCoordinator(quiet, { leaseMS: 2000 }), (e) => e.code === 'INVALID_OPTIONS' && /leaseMS/.test(e.message));
  let signed = 0;
  const signer = { address: key.address, signPayload: async (p, b) => { signed += 1; return key.signPayload(p, b); } };
  // A client whose every command fails, as a node-redis client does with no server.
  const down = { sendCommand: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:1'); } };
  const pay = wasm.wrapFetchWithPayment(fetch, signer, { ...options, coordinator: redisCoordinator(down) });
  await assert.rejects(pay(`${server.url}/paid?down`), (e) => e.code === 'COORDINATOR_ERROR' && /ECONNREFUSED/.test(e.message));
  // One that never answers: bounded by timeoutMs.
  const hung = { call: () => new Promise(() => {}) };
  const t0 = performance.now();
  const slow = wasm.wrapFetchWithPayment(fetch, signer, { ...options, coordinator: redisCoordinator(hung, { timeoutMs: 500 }) });
  await assert.rejects(slow(`${server.url}/paid?hung`), (e) => e.code === 'COORDINATOR_ERROR');
  assert.ok(performance.now() - t0 < 5000);
  assert.equal(signed, 0, 'nothing was signed');
});
