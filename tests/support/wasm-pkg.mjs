// Loads this package's Node build (from `npm run build`), so the Node suites test exactly
// what ships. X402_WASM_NODE points elsewhere (e.g. a scratch build) when set.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const candidates = [
  process.env.X402_WASM_NODE,
  path.join(root, 'dist/node/index.cjs'),
].filter(Boolean);
const found = candidates.find((p) => existsSync(p));
if (!found) {
  throw new Error(`the Node build is missing (looked in ${candidates.join(', ')}): run \`npm run build\` first`);
}
export const wasm = createRequire(import.meta.url)(found);
export const repoRoot = root;
