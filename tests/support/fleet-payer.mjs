// One process of a fleet paying from one account (tests/node/fleet.test.mjs, bench/fleet.mjs):
// connects to Redis with node-redis or ioredis (FLEET_CLIENT), pays FLEET_COUNT requests at
// once (distinct URLs: each is a purchase of its own) with FLEET_SURI, and prints one JSON
// line per payment ({ i, status | code, nonce, ms }) and a last { done, wallMs }.
// Env: FLEET_SERVER (seller base URL), FLEET_RPC, FLEET_GENESIS, FLEET_REDIS (absent: no
// coordinator), FLEET_PREFIX, FLEET_LEASE_MS, FLEET_TURN_TIMEOUT_MS, FLEET_PATH (default /paid),
// FLEET_WAIT_FOR ('go' on stdin before paying), FLEET_BUDGET (a budget, JSON), FLEET_DECLINE
// (every payment's consent is refused after its budget reserved it), FLEET_COUNT_SIGNED (the
// last line says how many payments were signed).
import { wasm } from './wasm-pkg.mjs';
import { redisCoordinator } from '../../dist/js/redis.js';

const env = process.env;
const NETWORK = env.FLEET_NETWORK ?? 'vara-testnet';
const count = Number(env.FLEET_COUNT ?? 1);
let coordinator, client;
if (env.FLEET_REDIS) {
  if (env.FLEET_CLIENT === 'ioredis') {
    const { default: Redis } = await import('ioredis');
    client = new Redis(env.FLEET_REDIS, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false });
    client.on('error', () => {});
  } else {
    const { createClient } = await import('redis');
    client = createClient({ url: env.FLEET_REDIS, socket: { reconnectStrategy: () => 200 } });
    client.on('error', () => {});
    await client.connect();
  }
  coordinator = redisCoordinator(client, {
    prefix: env.FLEET_PREFIX ?? 'x402-test', leaseMs: Number(env.FLEET_LEASE_MS ?? 5000), timeoutMs: Number(env.FLEET_REDIS_TIMEOUT_MS ?? 2000),
  });
  // FLEET_TRACE=file: every record this process wrote, with the store's version (diagnosis).
  if (env.FLEET_TRACE) {
    const { appendFileSync } = await import('node:fs');
    const swap = coordinator.swap;
    coordinator.swap = async (key, version, text, ttl) => {
      const ok = await swap(key, version, text, ttl);
      if (ok) appendFileSync(env.FLEET_TRACE, `${JSON.stringify({ pid: process.pid, t: Date.now(), version, text })}\n`);
      return ok;
    };
  }
}
const key = wasm.Keypair.fromSuri(env.FLEET_SURI ?? '//Alice');
// FLEET_WHO=reference: the reference client (x402-vara's Axios interceptor, a keyring pair,
// its GearApi on FLEET_RPC_WS), for side-by-side figures.
const reference = env.FLEET_WHO === 'reference' ? await referenceClient() : null;
async function referenceClient() {
  const { loadReference } = await import('./reference-server.mjs');
  const { default: axios } = await import('axios');
  const { Keyring } = await import('@polkadot/keyring');
  const { cryptoWaitReady } = await import('@polkadot/util-crypto');
  await cryptoWaitReady();
  const ref = await loadReference();
  ref.RpcMap[NETWORK] = env.FLEET_RPC_WS;
  const pair = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri(env.FLEET_SURI ?? '//Alice');
  const client = ref.withX402Interceptor(axios.create(), pair);
  // Axios's default validateStatus: the interceptor pays only for a 402 that Axios rejects.
  return async (url) => {
    const r = await client.get(url, { timeout: 120_000 }).catch((e) => {
      if (e.response) return e.response;
      throw e;
    });
    return { status: r.status, arrayBuffer: async () => {} };
  };
}
const options = {
  rpcUrls: { [NETWORK]: env.FLEET_RPC }, genesisHashes: { [NETWORK]: env.FLEET_GENESIS },
  ...(env.FLEET_TURN_TIMEOUT_MS ? { turnTimeoutMs: Number(env.FLEET_TURN_TIMEOUT_MS) } : {}),
  ...(coordinator ? { coordinator } : {}),
  ...(env.FLEET_BUDGET ? { budget: JSON.parse(env.FLEET_BUDGET) } : {}),
  ...(env.FLEET_DECLINE ? { onBeforePayment: () => false } : {}),
};
let signed = 0;
const counting = { address: key.address, signPayload: async (p, bytes) => { signed += 1; return key.signPayload(p, bytes); } };
const pay = wasm.wrapFetchWithPayment(fetch, env.FLEET_COUNT_SIGNED ? counting : key, options);
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
if (env.FLEET_WAIT_FOR) {
  print({ ready: true });
  await new Promise((resolve) => process.stdin.once('data', resolve));
}
const t0 = performance.now();
const base = `${env.FLEET_SERVER}${env.FLEET_PATH ?? '/paid'}`;
await Promise.all(Array.from({ length: count }, async (_, i) => {
  const t = performance.now();
  try {
    const r = await (reference ?? pay)(`${base}?p=${process.pid}-${i}`);
    await r.arrayBuffer();
    print({ i, status: r.status, nonce: reference ? undefined : wasm.getPaymentReceipt(r)?.summary?.nonce, ms: performance.now() - t });
  } catch (e) {
    print({ i, code: e.code ?? e.name, message: String(e.message).slice(0, 300), nonce: e.receipt?.summary?.nonce, ms: performance.now() - t });
  }
}));
print({ done: true, wallMs: performance.now() - t0, ...(env.FLEET_COUNT_SIGNED ? { signed } : {}) });
await client?.quit?.().catch(() => {});
client?.disconnect?.();
process.exit(0);
