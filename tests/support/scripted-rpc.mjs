// A stand-in JSON-RPC node for the Node suites: it serves a REAL Vara metadata blob and
// realistic chain values through the client's `rpcFetch` hook, so no process has to run.
// Tests change `node.state` to script a runtime upgrade, a reorg or a lie. The node itself is
// tests/support/stand-ins.js, shared with the wasm-bindgen tests. (The end-to-end suites use a
// real Vara runtime instead.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const standIns = new Function(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'stand-ins.js'), 'utf8'))();
export const TESTNET_GENESIS = standIns.TESTNET_GENESIS;
export const accountInfo = standIns.accountInfo;

/** `metadata` (bytes) or `metadataPath` (a fixture file) is what the node serves. */
export function scriptedRpc({ metadataPath, metadata, ...options }) {
  return standIns.scriptedRpc('0x' + Buffer.from(metadata ?? readFileSync(metadataPath)).toString('hex'), options);
}
