// Benchmark: build + sign one payment payload, warm, inside wasm under Node, against the
// same work done by polkadot-js (@polkadot/types with the same metadata + @polkadot/keyring),
// as the reference client does it. Prints medians over N runs and the ratio. Not a test:
// nothing is asserted. Both sides read the same real Vara metadata; ours gets its chain data
// through an in-process scripted RPC (its JSON round trip is included in our time).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { expandMetadata } from '@polkadot/types/metadata';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { wasm, repoRoot } from '../tests/support/wasm-pkg.mjs';
import { scriptedRpc } from '../tests/support/scripted-rpc.mjs';
import { BOB, median } from './support.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const metadataPath = path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale');
const requirements = {
  scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '10000000000', resource: 'r',
  payTo: BOB, maxTimeoutSeconds: 60,
};

async function time(fn) {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

await cryptoWaitReady();
const rpc = scriptedRpc({ metadataPath, specVersion: 20000 });
const key = wasm.Keypair.fromSuri('//Alice');
const ours = await time(() => wasm.createPaymentHeader(requirements, key, { rpcFetch: rpc.rpcFetch }));

const registry = new TypeRegistry();
const metadata = new Metadata(registry, (await import('node:fs')).readFileSync(metadataPath));
registry.setMetadata(metadata);
const { tx } = expandMetadata(registry, metadata);
const alice = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//Alice');
const reference = await time(async () => {
  const method = tx.balances.transferKeepAlive(BOB, '10000000000');
  const era = registry.createType('ExtrinsicEra', { current: 1_234_567, period: 64 });
  const unsigned = {
    specVersion: registry.createType('u32', 20000).toHex(), transactionVersion: registry.createType('u32', 1).toHex(),
    address: alice.address, blockHash: '0x' + '11'.repeat(32), blockNumber: registry.createType('BlockNumber', 1_234_567).toHex(),
    era: era.toHex(), genesisHash: rpc.genesisHash, method: method.toHex(), nonce: registry.createType('Index', 7).toHex(),
    signedExtensions: registry.signedExtensions, tip: registry.createType('Compact<Balance>', 0).toHex(), version: 4,
  };
  const { signature } = registry.createType('ExtrinsicPayload', unsigned, { version: 4 }).sign(alice);
  return Buffer.from(JSON.stringify({ x402Version: 1, scheme: 'exact', payload: { transaction: unsigned, signature }, network: 'vara-testnet' })).toString('base64');
});

console.log(`build + sign one payment, warm, median of ${RUNS} runs`);
console.log(`  ours (wasm, incl. self-check + scripted RPC): ${ours.toFixed(3)} ms`);
console.log(`  polkadot-js (@polkadot/types + keyring):      ${reference.toFixed(3)} ms`);
console.log(`  ratio reference / ours: ${(reference / ours).toFixed(2)}x`);
