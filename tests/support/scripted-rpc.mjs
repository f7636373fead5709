// A stand-in JSON-RPC node for the Node suites: it serves a REAL Vara metadata blob and
// realistic chain values through the client's `rpcFetch` hook, so no process has to run.
// The node itself is tests/support/stand-ins.js, shared with the wasm-bindgen tests.
// (The end-to-end suites use a real Vara runtime instead.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const standIns = new Function(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'stand-ins.js'), 'utf8'))();
export const TESTNET_GENESIS = standIns.TESTNET_GENESIS;

export function scriptedRpc({ metadataPath, ...options }) {
  return standIns.scriptedRpc('0x' + readFileSync(metadataPath).toString('hex'), options);
}
