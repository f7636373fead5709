// One x402 version 2 figure: warm payment latency and JSON-RPC round trips per payment,
// paying the @x402/express seller (Vara scheme server + in-process polkadot-js facilitator)
// on the local chain, through @x402/fetch with varaExactScheme and through this package's
// own fetch wrapper. One process, the same wasm instance and chain cache for both. Prints figures; asserts nothing. `node bench/v2.mjs`
// after `npm run build`; BENCH_V2_PAYMENTS sets the payments per client (default 30).
import { performance } from 'node:perf_hooks';
import { x402Client, wrapFetchWithPayment } from '@x402/fetch';
import { startChain, VARA } from '../tests/support/local-chain.mjs';
import { startV2Server } from '../tests/support/x402-v2-server.mjs';
import { createVaraFacilitator } from '../tests/support/vara-facilitator.mjs';
import { wasm } from '../tests/support/wasm-pkg.mjs';
import { BOB, PRICE, median } from './support.mjs';

const { varaExactScheme, VARA_TESTNET } = await import('../dist/js/x402.js');
const PAYMENTS = Number(process.env.BENCH_V2_PAYMENTS ?? 30);

const chain = await startChain();
const alice = wasm.Keypair.fromSuri('//Alice');
await chain.fund(alice.address, 1_000_000n * VARA);
await chain.fund(BOB, 100n * VARA);
// Settle answers on the pool's acceptance, as the reference server of bench/run.mjs does: the
// figure is the clients' and the seller's verify, not chopsticks building a block (~2 s here).
const networks = { [VARA_TESTNET]: { api: await chain.api(), genesisHash: chain.genesisHash } };
const facilitator = createVaraFacilitator({ networks, waitForInclusion: false });
const server = await startV2Server({ facilitator, payTo: BOB, price: PRICE });

const counts = { roundTrips: 0, calls: 0 };
const rpcFetch = async (url, init) => {
  counts.roundTrips += 1;
  const body = JSON.parse(init.body);
  counts.calls += Array.isArray(body) ? body.length : 1;
  return fetch(url, init);
};
const options = { rpcUrls: { [VARA_TESTNET]: chain.httpUrl }, genesisHashes: { [VARA_TESTNET]: chain.genesisHash }, rpcFetch };
const sdk = new x402Client().register(VARA_TESTNET, varaExactScheme(alice, options))
  .setSpendControls({ allowedAssets: [{ network: VARA_TESTNET, asset: 'vara', maxAmountPerPayment: String(PRICE) }] });
const clients = {
  '@x402/fetch + varaExactScheme': wrapFetchWithPayment(fetch, sdk),
  'x402-vara-wasm wrapFetchWithPayment': wasm.wrapFetchWithPayment(fetch, alice, options),
};

async function run(pay) {
  const samples = [];
  let before;
  for (let i = 0; i < PAYMENTS; i++) {
    if (i === 1) before = { ...counts }; // warm: the first payment (cold for the first client) is left out
    const nonce = await chain.nonce(alice.address);
    const t = performance.now();
    const r = await pay(`${server.url}/paid`);
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
    await r.arrayBuffer();
    samples.push(performance.now() - t);
    // Wait for the block before the next payment (outside the timing): the next nonce.
    for (let k = 0; k < 100 && (await chain.nonce(alice.address)) === nonce; k++) await new Promise((res) => setTimeout(res, 20));
  }
  return {
    warmMedianMs: median(samples.slice(1)),
    roundTrips: (counts.roundTrips - before.roundTrips) / (PAYMENTS - 1),
    calls: (counts.calls - before.calls) / (PAYMENTS - 1),
  };
}

const results = {};
try {
  for (const [name, pay] of Object.entries(clients)) results[name] = await run(pay);
} finally {
  await server.stop();
  await chain.stop();
}

console.log(`\nx402 v2 on Vara: ${PAYMENTS} payments each to an @x402/express seller (verify + submit), same chain`);
console.log(`${''.padEnd(40)}${'warm median'.padStart(14)}${'RPC round trips'.padStart(17)}${'RPC calls'.padStart(11)}  (per warm payment, client side)`);
for (const [name, r] of Object.entries(results)) {
  console.log(`${name.padEnd(40)}${`${r.warmMedianMs.toFixed(1)} ms`.padStart(14)}${r.roundTrips.toFixed(2).padStart(17)}${r.calls.toFixed(2).padStart(11)}`);
}
process.exit(0);
