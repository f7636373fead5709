// Benchmark: what the ledger and budgets cost a payment, and what confirming pending payments
// costs the node. Prints figures; asserts nothing.
//   1. build + sign one payment (createPaymentHeader, in-process scripted RPC) with its own
//      ledger only, then with a budget too, on an empty ledger and on one holding 10,000
//      entries (a budget sums its ledger's entries on every check): medians and the cost.
//   2. the chain watcher on the local chain: 100 payments handed and never submitted, then
//      10 new blocks: JSON-RPC round trips per block (one watcher serves them all).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { wasm, repoRoot } from '../tests/support/wasm-pkg.mjs';
import { scriptedRpc } from '../tests/support/scripted-rpc.mjs';
import { startChain, VARA } from '../tests/support/local-chain.mjs';
import { BOB, median } from './support.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const metadataPath = path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale');
const requirements = { scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '10000000000', resource: 'r', payTo: BOB, maxTimeoutSeconds: 60 };
const key = wasm.Keypair.fromSuri('//Alice');

async function time(options, runs = RUNS) {
  for (let i = 0; i < 20; i++) await wasm.createPaymentHeader(requirements, key, options);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await wasm.createPaymentHeader(requirements, key, options);
    samples.push(performance.now() - t);
  }
  return median(samples);
}

const rpc = scriptedRpc({ metadataPath, specVersion: 20000 });
const base = { rpcFetch: rpc.rpcFetch, maxAmount: { VARA: '10000000000' } };
const plain = await time({ ...base, ledger: await wasm.PaymentLedger.open() });
const withBudget = await time({ ...base, ledger: await wasm.PaymentLedger.open(), budget: { VARA: { perHour: '1' + '0'.repeat(30), total: '1' + '0'.repeat(30) } } });
const big = await wasm.PaymentLedger.open();
const bigBudget = { VARA: { perHour: '1' + '0'.repeat(30), total: '1' + '0'.repeat(30) } };
for (let i = 0; i < 2_000; i++) await wasm.createPaymentHeader(requirements, key, { ...base, ledger: big, budget: bigBudget });
const withBig = await time({ ...base, ledger: big, budget: bigBudget }, 50);

console.log(`ledger and budget per payment (createPaymentHeader, scripted RPC), median of ${RUNS} runs`);
console.log(`  ledger only:                           ${plain.toFixed(3)} ms`);
console.log(`  ledger + budget (empty ledger):        ${withBudget.toFixed(3)} ms (+${(withBudget - plain).toFixed(3)} ms)`);
console.log(`  ledger + budget (2,000 entries):      ${withBig.toFixed(3)} ms (+${(withBig - plain).toFixed(3)} ms)`);

// 2. Confirmation reads on the real runtime.
const chain = await startChain();
try {
  await chain.fund(key.address, 1000n * VARA);
  await chain.fund(BOB, 100n * VARA);
  let roundTrips = 0;
  const counting = async (url, init) => { roundTrips += 1; return fetch(url, init); };
  const options = { rpcUrls: { 'vara-testnet': chain.httpUrl }, genesisHashes: { 'vara-testnet': chain.genesisHash }, rpcFetch: counting, maxAmount: { VARA: '10000000000' }, ledger: await wasm.PaymentLedger.open() };
  for (let i = 0; i < 100; i++) await wasm.createPaymentHeader(requirements, key, options);
  await new Promise((r) => setTimeout(r, 1500));
  const before = roundTrips;
  const blocks = 10;
  for (let i = 0; i < blocks; i++) {
    await chain.rpc('dev_newBlock', []);
    await new Promise((r) => setTimeout(r, 3000)); // Vara's block time
  }
  const perBlock = (roundTrips - before) / blocks;
  console.log(`chain watcher, 100 pending payments, ${blocks} blocks 3 s apart: ${perBlock.toFixed(1)} JSON-RPC round trips per block (a poll per second, one batch each)`);
} finally {
  await chain.stop();
}
process.exit(0);
