// Node loader for a wasm module embedded in JS (base64 of its gzip bytes): synchronous, so
// that `require('x402-vara-wasm').Keypair.fromSuri(…)` works right after loading. Bundled into
// the CommonJS core by scripts/embed-wasm.mjs; both Node entries (CommonJS and ESM) go through
// that one core, so import and require share one wasm instance (and its caches) per process.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * The base64 text of an embedded module (`export default "<base64>";`), read as a file:
 * CommonJS cannot require an ES module on every Node this package supports.
 */
export function readEmbedded(file) {
  const text = readFileSync(file, 'latin1');
  return text.slice(text.indexOf('"') + 1, text.lastIndexOf('"'));
}

/** `init(base64)` for a glue's `initSync`: the first entry loaded instantiates, the other one finds it done. */
export function initOnce(initSync) {
  let done = false;
  return (base64) => {
    if (done) return;
    initSync({ module: gunzipSync(Buffer.from(base64(), 'base64')) });
    done = true;
  };
}
