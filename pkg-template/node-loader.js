// Node loader for a wasm module embedded in JS (base64 of its gzip bytes): synchronous, so
// that `require('x402-vara-wasm').Keypair.fromSuri(…)` works right after loading. Bundled into
// the CommonJS entry by scripts/embed-wasm.mjs; the ESM entry re-exports that CommonJS module,
// so import and require share one wasm instance (and its caches) per process.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * The embedded module is `export default "<base64>";`. It is read as text rather than
 * imported, because CommonJS cannot require an ES module on every Node this package supports.
 */
export function embeddedWasmSync(file) {
  const text = readFileSync(file, 'latin1');
  const base64 = text.slice(text.indexOf('"') + 1, text.lastIndexOf('"'));
  return gunzipSync(Buffer.from(base64, 'base64'));
}
