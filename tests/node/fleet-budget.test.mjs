// One budget for a fleet: Node processes paying under one budget name through a real
// redis-server (started here, no persistence) and `x402-vara-wasm/redis`, on the real Vara
// runtime (chopsticks) against the reference x402-vara server. The caps hold for the fleet,
// not per process; what one process releases comes back to the others; a Redis restarted
// empty is rebuilt from the live processes' ledgers (the budget's record, and the lane's
// payments a seller took but has not submitted yet).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { wasm } from '../support/wasm-pkg.mjs';
import { waitUntil } from '../support/local-chain.mjs';
import { startFleetPeers, BOB } from '../support/fleet-peers.mjs';
import { runFleet } from '../support/fleet.mjs';
import { redisCoordinator } from '../../dist/js/redis.js';

const PRICE = 10_000_000_000n; // 0.01 VARA
let chain, server, redis, env;

let peers;
before(async () => {
  peers = await startFleetPeers({ price: PRICE });
  ({ chain, server, redis, env } = peers);
});
after(async () => peers?.stop());

/** A node-redis client of this process that reconnects when Redis comes back. */
async function connectRedis() {
  const client = createClient({ url: redis.url, socket: { reconnectStrategy: () => 100 } });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Stops Redis (its records go: no persistence) and starts it again, and waits for `client`. */
async function restartRedisEmpty(client) {
  await redis.stop();
  await redis.start();
  await waitUntil(async () => client.isReady, { timeoutMs: 10_000, intervalMs: 50 });
}

const outcome = (p) => p.status ?? p.code;
const count = (payments, what) => payments.filter((p) => outcome(p) === what).length;

/** The payer's nonce rose by exactly `n` and the seller got exactly `n` prices. */
async function expectExecuted(address, nonceBefore, bobBefore, n) {
  assert.ok(await waitUntil(async () => (await chain.nonce(address)) >= nonceBefore + n, { timeoutMs: 60_000, intervalMs: 250 }));
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await chain.nonce(address), nonceBefore + n, 'no more than n payments executed');
  assert.equal(await chain.freeBalance(BOB), bobBefore + BigInt(n) * PRICE, 'the seller got exactly n prices');
}

test('3 processes × 8 concurrent payments under one fleet budget of 5 prices an hour: 5 execute, 19 BUDGET_EXCEEDED', async () => {
  const address = wasm.Keypair.fromSuri('//Alice').address;
  const [nonceBefore, bobBefore] = [await chain.nonce(address), await chain.freeBalance(BOB)];
  const budget = JSON.stringify({ name: 'fleet-5', VARA: { perHour: String(5n * PRICE) } });
  const run = await runFleet({
    processes: 3, count: () => 8, env: { ...env, FLEET_SURI: '//Alice', FLEET_PREFIX: 'x402-b1', FLEET_BUDGET: budget },
    envOf: (i) => ({ FLEET_CLIENT: i % 2 ? 'ioredis' : 'redis' }),
  });
  for (const r of run.results) assert.equal(r.code, 0, r.stderr);
  assert.equal(run.payments.length, 24);
  assert.equal(count(run.payments, 200), 5, JSON.stringify(run.payments.map(outcome)));
  assert.equal(count(run.payments, 'BUDGET_EXCEEDED'), 19);
  // A process's own check refuses what its own payments already hold; the fleet's the rest.
  assert.ok(run.payments.some((p) => /^fleet budget "fleet-5"\.VARA\.perHour: 10000000000 would pass the cap of 50000000000/.test(p.message)),
    JSON.stringify(run.payments.map((p) => p.message)));
  await expectExecuted(address, nonceBefore, bobBefore, 5);
  // Each process alone would have allowed 5: the cap held for the fleet.
  console.log(`# 3 × 8 under one fleet budget of 5: ${count(run.payments, 200)} served in ${run.wallMs.toFixed(0)} ms`);
});

test('reservations a process released (consent refused) come back to the fleet', async () => {
  const address = wasm.Keypair.fromSuri('//Dave').address;
  const [nonceBefore, bobBefore] = [await chain.nonce(address), await chain.freeBalance(BOB)];
  const common = { ...env, FLEET_SURI: '//Dave', FLEET_PREFIX: 'x402-b2', FLEET_BUDGET: JSON.stringify({ name: 'fleet-2', VARA: { total: String(2n * PRICE) } }) };
  // Two payments reserved under the budget, then declined: released, and given back.
  const declined = await runFleet({ processes: 1, count: () => 2, env: { ...common, FLEET_DECLINE: '1' } });
  assert.deepEqual(declined.payments.map(outcome), ['SIGNER_REJECTED', 'SIGNER_REJECTED']);
  const paid = await runFleet({ processes: 2, count: () => 2, env: common });
  assert.equal(count(paid.payments, 200), 2, JSON.stringify(paid.payments.map(outcome)));
  assert.equal(count(paid.payments, 'BUDGET_EXCEEDED'), 2);
  await expectExecuted(address, nonceBefore, bobBefore, 2);
});

test('Redis restarted empty: a live process adds its ledger back to the new record; an unnamed budget cannot be shared', async () => {
  const key = wasm.Keypair.fromSuri('//Eve');
  const client = await connectRedis();
  try {
    const coordinator = redisCoordinator(client, { prefix: 'x402-b3' });
    const options = {
      rpcUrls: { 'vara-testnet': chain.httpUrl }, genesisHashes: { 'vara-testnet': chain.genesisHash },
      coordinator, ledger: await wasm.PaymentLedger.open(),
    };
    assert.throws(() => wasm.wrapFetchWithPayment(fetch, key, { ...options, budget: { VARA: { total: '1' } } }),
      (e) => e.code === 'INVALID_OPTIONS' && /budget\.name/.test(e.message));
    const pay = wasm.wrapFetchWithPayment(fetch, key, { ...options, budget: { name: 'fleet-3', VARA: { total: String(3n * PRICE) } } });
    const [nonceBefore, bobBefore] = [await chain.nonce(key.address), await chain.freeBalance(BOB)];
    for (const i of [1, 2]) assert.equal((await pay(`${server.url}/paid?r=${i}`)).status, 200);
    // Executed before Redis goes: this test is about the budget's record. (A lane record lost
    // while a seller still holds a payment it has not submitted is the chain's to judge: of
    // two payments with one nonce at most one executes.)
    await expectExecuted(key.address, nonceBefore, bobBefore, 2);
    await restartRedisEmpty(client);
    // The record is gone; this process's ledger still counts 2 prices: one is left, not three.
    assert.equal((await pay(`${server.url}/paid?r=3`)).status, 200);
    await assert.rejects(pay(`${server.url}/paid?r=4`), (e) => e.code === 'BUDGET_EXCEEDED' && /total/.test(e.message));
    await expectExecuted(key.address, nonceBefore, bobBefore, 3);
  } finally {
    await client.quit().catch(() => {});
  }
});

test('Redis restarted empty while the seller still holds two payments unsubmitted: their nonces are not given again', async () => {
  const key = wasm.Keypair.fromSuri('//Ferdie');
  const client = await connectRedis();
  try {
    const pay = wasm.wrapFetchWithPayment(fetch, key, {
      rpcUrls: { 'vara-testnet': chain.httpUrl }, genesisHashes: { 'vara-testnet': chain.genesisHash },
      coordinator: redisCoordinator(client, { prefix: 'x402-b4' }), ledger: await wasm.PaymentLedger.open(),
    });
    const [nonceBefore, bobBefore] = [await chain.nonce(key.address), await chain.freeBalance(BOB)];
    // The reference server answers 200 before it submits: right after, the pool may not
    // show these two yet, and the lane's record goes with Redis.
    const first = [];
    for (const i of [1, 2]) first.push(wasm.getPaymentReceipt(await pay(`${server.url}/paid?l=${i}`)).summary.nonce);
    await restartRedisEmpty(client);
    const third = wasm.getPaymentReceipt(await pay(`${server.url}/paid?l=3`)).summary.nonce;
    assert.deepEqual([...first, third], [nonceBefore, nonceBefore + 1, nonceBefore + 2]);
    await expectExecuted(key.address, nonceBefore, bobBefore, 3);
  } finally {
    await client.quit().catch(() => {});
  }
});
