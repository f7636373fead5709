// Loads this package's Node build (from `npm run build`), so the Node suites test exactly
// what ships: `wasm` is the main entry with the in-wasm key's `Keypair` (its own entry,
// `x402-vara-wasm/keypair`) beside it, as a Node app importing both sees them.
// X402_WASM_NODE points at another build's dist/node (e.g. a scratch build) when set.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const nodeDir = process.env.X402_WASM_NODE ?? path.join(root, 'dist/node');
if (!existsSync(path.join(nodeDir, 'index.cjs')) || !existsSync(path.join(nodeDir, 'keypair.cjs'))) {
  throw new Error(`the Node build is missing in ${nodeDir}: run \`npm run build\` first`);
}
const require = createRequire(import.meta.url);
const core = require(path.join(nodeDir, 'index.cjs'));
const { Keypair } = require(path.join(nodeDir, 'keypair.cjs'));
export const wasm = { ...core, Keypair };
export const repoRoot = root;
