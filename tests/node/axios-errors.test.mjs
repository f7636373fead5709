// The Axios shim's error contract (README, "Errors"): a request that never got a 402 fails as
// Axios alone fails it (an AxiosError: unreachable, timed out, 404); from the 402 on, every
// failure is an X402Error with the AxiosError as its `cause`. Through the ESM shim and its
// CommonJS copy. The sellers are small servers that misbehave on purpose (no real server can
// be made to drop the paid request), and the chain is the scripted stand-in node with real
// Vara metadata, as in the fetch wrapper's hostile-server suite: nothing here settles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import axios from 'axios';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { scriptedRpc } from '../support/scripted-rpc.mjs';
import { startServer, json } from '../support/http-server.mjs';

const { withX402Interceptor } = await import('../../dist/js/axios.js');
const cjs = createRequire(import.meta.url)(path.join(repoRoot, 'dist/js/axios.cjs'));
const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const metadataPath = path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale');
const required = {
  x402Version: 1,
  accepts: [{ scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '10000000000', resource: 'http://127.0.0.1/x', description: 'test',
    mimeType: 'application/json', payTo: BOB, maxTimeoutSeconds: 60, outputSchema: null, extra: null }],
};

let server;
const hanging = new Set();
before(async () => {
  // Each route asks for payment, then fails the paid request its own way.
  const paidRoute = (fail) => (q, s) => (q.headers['x-payment'] ? fail(q, s) : json(s, 402, required));
  server = await startServer({
    '/missing': (q, s) => json(s, 404, { error: 'no such thing' }),
    '/slow': (q, s) => { hanging.add(s); },
    '/drops-paid': paidRoute((q, s) => s.socket.destroy()),
    '/hangs-paid': paidRoute((q, s) => { hanging.add(s); }),
    '/malformed': (q, s) => json(s, 402, { x402Version: 1, accepts: 'nope' }),
  });
});
after(async () => {
  for (const s of hanging) s.socket?.destroy();
  await server.close();
});

/** A signer that counts its signatures, and Axios with the interceptor of `shim`. */
function client(shim, config = {}) {
  const key = wasm.Keypair.fromSuri('//Alice');
  const signer = { address: key.address, calls: 0, async signPayload(_p, bytes) { signer.calls += 1; return { signature: '0x01' + Buffer.from(key.sign(bytes)).toString('hex') }; } };
  const rpc = scriptedRpc({ metadataPath, specVersion: 20000 });
  return { api: shim(axios.create(config), signer, { rpcFetch: rpc.rpcFetch }), signer };
}

const isAxiosOnly = (code) => (e) => axios.isAxiosError(e) && e.name !== 'X402Error' && (code === undefined || e.code === code);
const isX402 = (code) => (e) => e.name === 'X402Error' && e.code === code;

for (const [label, shim] of [['ESM', withX402Interceptor], ['CommonJS', cjs.withX402Interceptor]]) {
  test(`${label}, before any 402: an unreachable seller is Axios's own ECONNREFUSED, nothing signed`, async () => {
    const { api, signer } = client(shim);
    await assert.rejects(api.get('http://127.0.0.1:9/paid'), isAxiosOnly('ECONNREFUSED'));
    assert.equal(signer.calls, 0);
  });

  test(`${label}, before any 402: a 404 and a timeout stay AxiosErrors`, async () => {
    const { api, signer } = client(shim, { timeout: 300 });
    await assert.rejects(api.get(`${server.url}/missing`), (e) => isAxiosOnly('ERR_BAD_REQUEST')(e) && e.response.status === 404);
    await assert.rejects(api.get(`${server.url}/slow`), isAxiosOnly('ECONNABORTED'));
    assert.equal(signer.calls, 0);
  });

  test(`${label}, after the 402: the paid request's connection dropped is NETWORK_ERROR, the AxiosError its cause`, async () => {
    const { api, signer } = client(shim);
    await assert.rejects(api.get(`${server.url}/drops-paid`), (e) => {
      assert.ok(isX402('NETWORK_ERROR')(e), `${e.name} ${e.code} ${e.message}`);
      // The core's verdict: no answer, and until when the payment may still execute.
      assert.match(e.message, /did not answer the paid request.*may still execute until block \d+/);
      assert.ok(axios.isAxiosError(e.cause), 'the AxiosError is the cause');
      return true;
    });
    assert.equal(signer.calls, 1);
  });

  test(`${label}, after the 402: Axios's timeout on the paid request is ABORTED`, async () => {
    const { api } = client(shim, { timeout: 1500 });
    await assert.rejects(api.get(`${server.url}/hangs-paid`), (e) => isX402('ABORTED')(e) && (e.cause === undefined || axios.isAxiosError(e.cause) || e.cause instanceof Error));
  });

  test(`${label}, after the 402: an offer that is not x402 is MALFORMED_402`, async () => {
    const { api, signer } = client(shim);
    await assert.rejects(api.get(`${server.url}/malformed`), isX402('MALFORMED_402'));
    assert.equal(signer.calls, 0);
  });
}
