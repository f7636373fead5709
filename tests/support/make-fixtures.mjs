// Regenerates tests/fixtures/vara-1000.metadata.scale: `state_getMetadata` of the Vara
// testnet genesis runtime (spec 1000, metadata V14), served by the local chain.
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { startChain } from './local-chain.mjs';

const chain = await startChain();
try {
  const hex = await chain.rpc('state_getMetadata', []);
  const bytes = Buffer.from(hex.slice(2), 'hex');
  const out = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../fixtures/vara-1000.metadata.scale');
  writeFileSync(out, bytes);
  console.log(`${out}: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}, spec ${chain.specVersion}`);
} finally {
  await chain.stop();
}
