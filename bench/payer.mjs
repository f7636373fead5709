// One paying process for bench/run.mjs: `node bench/payer.mjs <ours|reference> <count>` with
// BENCH_SERVER, BENCH_RPC_HTTP, BENCH_RPC_WS, BENCH_GENESIS in the environment. Pays
// <count> times for BENCH_SERVER/paid, waiting for each payment's inclusion between
// requests (outside the timings), and prints one JSON line of figures.
import { performance } from 'node:perf_hooks';
import { resourceUsage } from 'node:process';

const [who, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 1);
const { BENCH_SERVER: server, BENCH_RPC_HTTP: rpcHttp, BENCH_RPC_WS: rpcWs, BENCH_GENESIS: genesis } = process.env;

async function nextIndex(address) {
  const r = await fetch(rpcHttp, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_accountNextIndex', params: [address] }) });
  return (await r.json()).result;
}

let pay, address, rpcRoundTrips = 0, rpcCalls = 0;
if (who === 'ours') {
  const { wrapFetchWithPayment } = await import('../dist/node/index.mjs');
  const { Keypair } = await import('../dist/node/keypair.mjs');
  const key = Keypair.fromSuri('//Alice');
  address = key.address;
  const rpcFetch = async (url, init) => {
    rpcRoundTrips += 1;
    const body = JSON.parse(init.body);
    rpcCalls += Array.isArray(body) ? body.length : 1;
    return fetch(url, init);
  };
  const payFetch = wrapFetchWithPayment(fetch, key, { rpcUrls: { 'vara-testnet': rpcHttp }, genesisHashes: { 'vara-testnet': genesis }, rpcFetch });
  pay = async () => {
    const r = await payFetch(`${server}/paid`);
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
    await r.arrayBuffer();
  };
} else {
  // The reference client: x402-vara's withX402Interceptor + an axios instance + a keyring
  // pair, its GearApi pointed at the same chain (through a counting WebSocket proxy).
  const { loadReference } = await import('../tests/support/reference-server.mjs');
  const { default: axios } = await import('axios');
  const { Keyring } = await import('@polkadot/keyring');
  const { cryptoWaitReady } = await import('@polkadot/util-crypto');
  await cryptoWaitReady();
  const ref = await loadReference();
  ref.RpcMap['vara-testnet'] = rpcWs;
  const pair = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//Alice');
  address = pair.address;
  const client = ref.withX402Interceptor(axios.create(), pair);
  pay = async () => {
    const r = await client.get(`${server}/paid`);
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  };
}

const samples = [];
let firstMs;
for (let i = 0; i < count; i++) {
  const before = await nextIndex(address);
  const t = performance.now();
  await pay();
  const ms = performance.now() - t;
  if (i === 0) firstMs = performance.now(); // since process start: cold start + first payment
  samples.push(ms);
  for (let k = 0; k < 100 && (await nextIndex(address)) === before; k++) await new Promise((r) => setTimeout(r, 20));
}
const warm = samples.slice(1).sort((a, b) => a - b);
console.log(JSON.stringify({
  who, count, firstMs, firstPaymentMs: samples[0],
  warmMedianMs: warm.length ? warm[Math.floor(warm.length / 2)] : null,
  rpcRoundTrips, rpcCalls, maxRssKiB: resourceUsage().maxRSS,
}));
process.exit(0);
