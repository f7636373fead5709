// One payer at fleet scale: payments per second and wall time for 10 and 30 concurrent
// payments from one account, spread over 1, 2 and 4 Node processes, with blocks every 3 s
// (chopsticks in Manual mode + a dev_newBlock clock, as on Vara), against the reference
// x402-vara server (answers once its submission is accepted) and the x402 v2 seller whose
// facilitator waits for execution. Ours: one process uses its in-process lane; several share
// the lane through Redis (`x402-vara-wasm/redis`, a redis-server started here). The
// reference client runs beside ours where it can (it speaks x402 v1 only). Executed = the
// seller's balance delta ÷ price, after the chain has included everything. Prints figures;
// asserts nothing. `node bench/fleet.mjs` (after `npm run build`; needs redis-server).
// BENCH_FLEET_QUICK=1 runs 10 payments with 1 and 4 processes only; BENCH_FLEET_CLIENT=ours
// (or reference, or ours+budget) runs that client's rows only; BENCH_FLEET_BUDGET=1 adds rows
// of ours paying under one named budget (kept in Redis with several processes) that never
// refuses: what the budget's record costs.
import { startChain, VARA } from '../tests/support/local-chain.mjs';
import { startReferenceServer } from '../tests/support/reference-server.mjs';
import { startV2Server } from '../tests/support/x402-v2-server.mjs';
import { createVaraFacilitator } from '../tests/support/vara-facilitator.mjs';
import { startRedis } from '../tests/support/redis.mjs';
import { runFleet } from '../tests/support/fleet.mjs';
import { BOB, PRICE } from './support.mjs';

const V2 = 'polkadot:525639f713f397dcf839bd022cd821f3';
const QUICK = Boolean(process.env.BENCH_FLEET_QUICK);
const SIZES = QUICK ? [10] : [10, 30];
const PROCESSES = QUICK ? [1, 4] : [1, 2, 4];

const chain = await startChain({ blockMs: 3000 });
const payers = { ours: '//Alice', reference: '//Dave', 'ours+budget': '//Alice' };
for (const suri of new Set(Object.values(payers))) {
  const { Keyring } = await import('@polkadot/keyring');
  const { cryptoWaitReady } = await import('@polkadot/util-crypto');
  await cryptoWaitReady();
  await chain.fund(new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri(suri).address, 1_000_000n * VARA);
}
await chain.fund(BOB, 100n * VARA);
const v1 = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: BOB, price: String(PRICE) });
const facilitator = createVaraFacilitator({ networks: { [V2]: { api: await chain.api(), genesisHash: chain.genesisHash } } });
const v2 = await startV2Server({ facilitator, payTo: BOB, price: PRICE });
const redis = await startRedis();

// Until everything pooled is in a block: two blocks in a row that leave Bob's balance alone.
async function settled() {
  let last = -1n;
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 3200));
    const now = await chain.freeBalance(BOB);
    if (now === last) return now;
    last = now;
  }
  return last;
}

const rows = [];
try {
  for (const [seller, who, url, network] of [
    ['reference server (v1)', 'ours', v1.url, 'vara-testnet'],
    ['reference server (v1)', 'reference', v1.url, 'vara-testnet'],
    ['v2 facilitator, waits for execution', 'ours', v2.url, V2],
    ...(process.env.BENCH_FLEET_BUDGET ? [['v2 facilitator, waits for execution', 'ours+budget', v2.url, V2]] : []),
  ].filter(([, who]) => !process.env.BENCH_FLEET_CLIENT || who === process.env.BENCH_FLEET_CLIENT)) {
    for (const n of SIZES) {
      for (const p of PROCESSES) {
        const bob0 = await settled();
        const env = {
          FLEET_SERVER: url, FLEET_RPC: chain.httpUrl, FLEET_RPC_WS: chain.wsUrl, FLEET_GENESIS: chain.genesisHash, FLEET_NETWORK: network,
          FLEET_SURI: payers[who], FLEET_WHO: who.replace('+budget', ''), FLEET_PREFIX: `bench-${rows.length}`,
          ...(who !== 'reference' && p > 1 ? { FLEET_REDIS: redis.url } : {}),
          ...(who === 'ours+budget' ? { FLEET_BUDGET: JSON.stringify({ name: 'bench', VARA: { perHour: String(1_000_000n * VARA) } }) } : {}),
        };
        const share = (i) => Math.floor(n / p) + (i < n % p ? 1 : 0);
        const run = await runFleet({ processes: p, count: share, env });
        const executed = Number(((await settled()) - bob0) / PRICE);
        const served = run.payments.filter((x) => x.status === 200).length;
        const failures = run.results.filter((r) => r.code !== 0).map((r) => r.stderr.split('\n').slice(-3).join(' '));
        rows.push({ seller, who, n, p, wallMs: run.wallMs, served, executed, failures });
        console.log(`# ${seller}, ${who}, ${n} payments over ${p} process(es): ${served} served, ${executed} executed, ${(run.wallMs / 1000).toFixed(1)} s${failures.length ? `; ${failures.join(' | ')}` : ''}`);
      }
    }
  }
} finally {
  await redis.stop();
  await v2.stop();
  await v1.stop();
  await chain.stop();
}

console.log('\nOne payer, several processes, 3 s blocks: wall time and payments executed per second (executed/sent)');
console.log(`${'seller'.padEnd(38)}${'client'.padEnd(11)}${'payments'.padStart(9)}${'procs'.padStart(6)}${'wall s'.padStart(9)}${'exec/s'.padStart(8)}${'executed'.padStart(10)}`);
for (const r of rows) {
  console.log(`${r.seller.padEnd(38)}${r.who.padEnd(11)}${String(r.n).padStart(9)}${String(r.p).padStart(6)}${(r.wallMs / 1000).toFixed(1).padStart(9)}${(r.executed / (r.wallMs / 1000)).toFixed(2).padStart(8)}${`${r.executed}/${r.n}`.padStart(10)}`);
}
process.exit(0);
