// Benchmark: what the wallets of issue 20 cost, in wasm under Node. Prints figures, asserts
// nothing.
// - The RFC-78 metadata digest: the first mode-1 payment on a chain less the first mode-0 one
//   (both read the chain from a scripted in-process node; the difference is reading metadata
//   V15 and merkleizing it in the wasm), against @polkadot-api/merkleize-metadata over the
//   same bytes (cold: its first call in this process; warm: the median after), and that
//   package's size as a bundler ships it (esbuild, minified, gzip -9).
// - A warm payment signed by sr25519, ed25519 and ecdsa keyring pairs (each verified before
//   use; ecdsa recovers the key).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';
import { wasm, repoRoot } from '../tests/support/wasm-pkg.mjs';
import { scriptedRpc } from '../tests/support/scripted-rpc.mjs';
import { BOB, median } from './support.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const metadataPath = path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale');
const requirements = { scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '10000000000', resource: 'r', payTo: BOB, maxTimeoutSeconds: 60 };
let chainNo = 0;

/** The first payment on a new chain (its own genesis), in mode 1 or 0, in ms. */
async function firstPayment(metadataHash) {
  const genesisHash = '0x' + (++chainNo).toString(16).padStart(8, '0').repeat(8);
  const rpc = scriptedRpc({ metadataPath, specVersion: 20000, genesisHash });
  const options = { rpcFetch: rpc.rpcFetch, genesisHashes: { 'vara-testnet': genesisHash }, metadataHash };
  const t = performance.now();
  await wasm.createPaymentHeader(requirements, wasm.Keypair.fromSuri('//Alice'), options);
  return performance.now() - t;
}

await cryptoWaitReady();
const ours = [];
for (let i = 0; i < RUNS; i++) ours.push((await firstPayment(true)) - (await firstPayment(false)));
const metadata = readFileSync(metadataPath);
const papi = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  merkleizeMetadata(metadata, { decimals: 12, tokenSymbol: 'TVARA', base58Prefix: 137 }).digest();
  papi.push(performance.now() - t);
}
const bundled = await build({
  stdin: { contents: "export { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';", resolveDir: repoRoot },
  bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'error',
});
const js = bundled.outputFiles[0].contents;

console.log(`RFC-78 metadata digest of ${metadata.length} B of metadata V15, ${RUNS} runs`);
console.log(`  ours (wasm, merkleized-metadata; V15 read + digest, first mode-1 payment less a mode-0 one): median ${median(ours).toFixed(1)} ms, first ${ours[0].toFixed(1)} ms`);
console.log(`  @polkadot-api/merkleize-metadata (JS): median ${median(papi).toFixed(1)} ms, first ${papi[0].toFixed(1)} ms`);
console.log(`  @polkadot-api/merkleize-metadata bundled (esbuild, minified): ${js.length} B, gzip -9 ${gzipSync(js, { level: 9 }).length} B`);

const keyring = new Keyring({ ss58Format: 137 });
const rpc = scriptedRpc({ metadataPath, specVersion: 20000 });
console.log(`a warm payment (mode 1) by each account kind, median of ${RUNS * 10} runs`);
for (const type of ['sr25519', 'ed25519', 'ecdsa']) {
  const pair = keyring.addFromUri(`//Alice//bench-${type}`, {}, type);
  const pay = () => wasm.createPaymentHeader(requirements, pair, { rpcFetch: rpc.rpcFetch });
  for (let i = 0; i < 10; i++) await pay();
  const samples = [];
  for (let i = 0; i < RUNS * 10; i++) {
    const t = performance.now();
    await pay();
    samples.push(performance.now() - t);
  }
  console.log(`  ${type} keyring pair: ${median(samples).toFixed(3)} ms`);
}
