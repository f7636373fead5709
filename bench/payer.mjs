// One paying process for bench/run.mjs: `node bench/payer.mjs <ours|reference> <count>` with
// BENCH_SERVER, BENCH_RPC_HTTP, BENCH_RPC_WS, BENCH_GENESIS in the environment. Pays
// <count> times for BENCH_SERVER/paid, waiting for each payment's inclusion between
// requests (outside the timings), and prints one JSON line of figures.
import { performance } from 'node:perf_hooks';
import { resourceUsage } from 'node:process';
import { payingClient } from './support.mjs';

const [who, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 1);
const rpcHttp = process.env.BENCH_RPC_HTTP;

async function nextIndex(address) {
  const r = await fetch(rpcHttp, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_accountNextIndex', params: [address] }) });
  return (await r.json()).result;
}

const { address, rpc, get } = await payingClient(who);
const samples = [];
let firstMs;
for (let i = 0; i < count; i++) {
  const before = await nextIndex(address);
  const t = performance.now();
  const status = await get();
  if (status !== 200) throw new Error(`HTTP ${status}`);
  const ms = performance.now() - t;
  if (i === 0) firstMs = performance.now(); // since process start: cold start + first payment
  samples.push(ms);
  for (let k = 0; k < 100 && (await nextIndex(address)) === before; k++) await new Promise((r) => setTimeout(r, 20));
}
const warm = samples.slice(1).sort((a, b) => a - b);
console.log(JSON.stringify({
  who, count, firstMs, firstPaymentMs: samples[0],
  warmMedianMs: warm.length ? warm[Math.floor(warm.length / 2)] : null,
  rpcRoundTrips: rpc.roundTrips, rpcCalls: rpc.calls, maxRssKiB: resourceUsage().maxRSS,
}));
process.exit(0);
