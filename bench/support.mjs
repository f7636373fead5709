// What the side-by-side benchmarks share: the local shop (chain + reference server), the
// two paying clients set up the same way for every bench, and a counting WebSocket proxy
// for the reference client's RPC traffic.
import { WebSocketServer, WebSocket } from 'ws';
import { freePort, VARA } from '../tests/support/local-chain.mjs';
import { startLocalShop } from '../tests/support/reference-server.mjs';

export const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
export const ALICE = 'kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW';
export const PRICE = 10_000_000_000n; // 0.01 VARA
export const FULL = Boolean(process.env.BENCH_FULL);
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A local chain with //Alice well funded and the reference server selling GET /paid to Bob. */
export async function startBenchShop() {
  const shop = await startLocalShop({ payTo: BOB, price: PRICE });
  await shop.chain.fund(ALICE, 1_000_000n * VARA);
  return shop;
}

/** The environment a paying child process reads (see payingClient). */
export const payerEnv = (shop, rpcWs = shop.chain.wsUrl) => ({
  BENCH_SERVER: shop.server.url, BENCH_RPC_HTTP: shop.chain.httpUrl, BENCH_RPC_WS: rpcWs, BENCH_GENESIS: shop.chain.genesisHash,
});

/**
 * One client paying for BENCH_SERVER/paid as //Alice: `ours` (this package's
 * wrapFetchWithPayment + in-wasm Keypair, over HTTP RPC) or `reference` (x402-vara's
 * withX402Interceptor + axios + a keyring pair, its GearApi on BENCH_RPC_WS).
 * `get({ timeoutMs })` resolves to the final HTTP status, or rejects with what the client threw.
 * `rpc` counts our JSON-RPC round trips and calls (the reference's are counted by a proxy).
 */
export async function payingClient(who, env = process.env) {
  const { BENCH_SERVER: server, BENCH_RPC_HTTP: rpcHttp, BENCH_RPC_WS: rpcWs, BENCH_GENESIS: genesis } = env;
  const rpc = { roundTrips: 0, calls: 0 };
  if (who === 'ours') {
    const { wrapFetchWithPayment } = await import('../dist/node/index.mjs');
    const { Keypair } = await import('../dist/node/keypair.mjs');
    const key = Keypair.fromSuri('//Alice');
    const rpcFetch = async (url, init) => {
      rpc.roundTrips += 1;
      const body = JSON.parse(init.body);
      rpc.calls += Array.isArray(body) ? body.length : 1;
      return fetch(url, init);
    };
    const payFetch = wrapFetchWithPayment(fetch, key, { rpcUrls: { 'vara-testnet': rpcHttp }, genesisHashes: { 'vara-testnet': genesis }, rpcFetch });
    const get = async ({ timeoutMs } = {}) => {
      const r = await payFetch(`${server}/paid`, timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : undefined);
      await r.arrayBuffer();
      return r.status;
    };
    return { address: key.address, rpc, get };
  }
  const { loadReference } = await import('../tests/support/reference-server.mjs');
  const { default: axios } = await import('axios');
  const { Keyring } = await import('@polkadot/keyring');
  const { cryptoWaitReady } = await import('@polkadot/util-crypto');
  await cryptoWaitReady();
  const ref = await loadReference();
  ref.RpcMap['vara-testnet'] = rpcWs;
  const pair = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//Alice');
  const client = ref.withX402Interceptor(axios.create(), pair);
  const get = async ({ timeoutMs } = {}) => (await client.get(`${server}/paid`, timeoutMs ? { timeout: timeoutMs } : undefined)).status;
  return { address: pair.address, rpc, get };
}

/** A WebSocket proxy in front of the chain that counts JSON-RPC calls (the reference talks WS). */
export async function countingWsProxy(target) {
  const port = await freePort();
  const counts = { messages: 0, calls: 0, byMethod: {} };
  const wss = new WebSocketServer({ port, host: '127.0.0.1' });
  wss.on('connection', (client) => {
    const upstream = new WebSocket(target);
    const queue = [];
    upstream.on('open', () => queue.splice(0).forEach((m) => upstream.send(m)));
    client.on('message', (data) => {
      const text = data.toString();
      counts.messages += 1;
      const msg = JSON.parse(text);
      for (const m of Array.isArray(msg) ? msg : [msg]) {
        counts.calls += 1;
        counts.byMethod[m.method] = (counts.byMethod[m.method] ?? 0) + 1;
      }
      upstream.readyState === WebSocket.OPEN ? upstream.send(text) : queue.push(text);
    });
    upstream.on('message', (data) => client.readyState === WebSocket.OPEN && client.send(data.toString()));
    client.on('close', () => upstream.close());
    upstream.on('close', () => client.close());
  });
  return { url: `ws://127.0.0.1:${port}`, counts, close: () => new Promise((r) => wss.close(r)) };
}
