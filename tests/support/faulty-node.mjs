// Helpers of the faulty-node corpus: scripted nodes (tests/support/stand-ins.js, real Vara
// metadata) each on a chain and at a URL of its own, several behind one `rpcFetch`, and a
// signer that counts what it signs.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { scriptedRpc } from './scripted-rpc.mjs';
import { repoRoot } from './wasm-pkg.mjs';

export const RECENT = path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale'); // V15, spec 20000 here
export const V1000 = path.join(repoRoot, 'tests/fixtures/vara-1000.metadata.scale'); // V14, spec 1000
export const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';

let serial = 0;
const freshUrl = () => `http://node-${++serial}.faulty.test/`;

export const requirements = (over = {}) => ({
  scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '10000000000', resource: 'http://x/paid', description: 'd',
  mimeType: 'application/json', payTo: BOB, maxTimeoutSeconds: 60, outputSchema: null, extra: null, ...over,
});

/**
 * One chain (a fresh genesis hash, so no cache of the client is shared with another case)
 * served by `urls` scripted nodes at fresh URLs (a URL's batch support is remembered too).
 * `options` are the client's options for it.
 */
export function chain({ urls = 1, ...over } = {}) {
  const genesisHash = '0x' + randomBytes(32).toString('hex');
  const nodes = Array.from({ length: urls }, () => ({
    url: freshUrl(),
    rpc: scriptedRpc({ metadataPath: RECENT, specVersion: 20000, genesisHash, ...over }),
  }));
  const byUrl = new Map(nodes.map((n) => [n.url, n.rpc]));
  const rpcFetch = (url, init) => byUrl.get(String(url)).rpcFetch(url, init);
  return {
    genesisHash,
    nodes,
    rpc: nodes[0].rpc,
    options: { rpcFetch, rpcUrls: { 'vara-testnet': nodes.map((n) => n.url) }, genesisHashes: { 'vara-testnet': genesisHash } },
  };
}

/** An extension-shaped signer over an in-wasm key that counts its signatures. */
export function counting(key) {
  const signer = {
    address: key.address,
    calls: 0,
    signPayload: async (payload, bytes) => {
      signer.calls += 1;
      return key.signPayload(payload, bytes);
    },
  };
  return signer;
}

/** `state.answer` hook: `fault(answer, call)` replaces the answers to `method` (all of them). */
export const onMethod = (method, fault) => (call, answer) => (call.method === method ? fault(answer, call) : undefined);

/** The result of an answer replaced, the rest of it kept. */
export const withResult = (result) => (answer) => ({ jsonrpc: '2.0', id: answer.id, result });
