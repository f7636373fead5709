// The fetch wrapper against misbehaving x402 version 2 servers: the requirements arrive in a
// PAYMENT-REQUIRED header, and every refusal is an X402Error with its code, before anything
// is signed or sent. Chain data comes from the scripted RPC stand-in serving real Vara
// metadata (x402-v2.test.mjs pays a real runtime through the real @x402/express).
// Malformed v2 requirements are MALFORMED_402. The Axios shim meets the same servers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { scriptedRpc, TESTNET_GENESIS } from '../support/scripted-rpc.mjs';
import { startServer, json } from '../support/http-server.mjs';
import axios from 'axios';

const { withX402Interceptor } = await import('../../dist/js/axios.js');

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const CHARLIE = wasm.Keypair.fromSuri('//Charlie').address;
const TESTNET = 'polkadot:525639f713f397dcf839bd022cd821f3';
const MAINNET = 'polkadot:fe1b4c55fd4d668101126434206571a7';
const TOKEN = '0x' + 'cd'.repeat(32);
const TX_HASH = '0x' + 'ef'.repeat(32);
const metadataPath = path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale');
const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
const decode = (header) => JSON.parse(Buffer.from(header, 'base64').toString('utf8'));

const entry = (over = {}) => ({
  scheme: 'exact', network: TESTNET, amount: '10000000000', asset: 'vara', payTo: BOB, maxTimeoutSeconds: 60, extra: { name: 'VARA', decimals: 12 }, ...over,
});
const required = (over = {}, accepts = [entry()]) => ({ x402Version: 2, resource: { url: 'http://127.0.0.1/x', description: 'test', mimeType: 'application/json' }, accepts, ...over });
const v1Body = { x402Version: 1, accepts: [{ scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '20000000000', resource: 'http://127.0.0.1/x', payTo: CHARLIE, maxTimeoutSeconds: 60 }] };

/** A 402 whose PAYMENT-REQUIRED header is `header` (a value, or a raw string sent as is). */
const answer402 = (header, body = {}) => (q, s) => json(s, 402, body, { 'PAYMENT-REQUIRED': typeof header === 'string' ? header : b64(header) });
const settled = (over = {}) => b64({ success: true, transaction: TX_HASH, network: TESTNET, payer: 'x', ...over });

let server;
const paid = []; // every request that carried a payment header
before(async () => {
  // Records a request that carries a payment and answers with `ok`; unpaid ones get `unpaid`.
  const pays = (ok, unpaid = answer402(required())) => (q, s, body) => {
    const signature = q.headers['payment-signature'], legacy = q.headers['x-payment'];
    if (!signature && !legacy) return unpaid(q, s);
    paid.push({ signature, legacy, body: body.toString('latin1'), custom: q.headers['x-custom'] });
    ok(q, s);
  };
  const ok = (q, s) => json(s, 200, { ok: true }, { 'PAYMENT-RESPONSE': settled() });
  const settleFailed = { 'PAYMENT-REQUIRED': b64(required({ error: 'transaction_failed' })), 'PAYMENT-RESPONSE': settled({ success: false, errorReason: 'transaction_failed', transaction: '' }) };
  const routes = {
    // Malformed headers next to a payable v1 body: refused, never a fall back to the body.
    '/bad-base64': answer402('%%% not base64 %%%', v1Body),
    '/not-json': answer402(b64('{"x402Version":2,"accepts":['), v1Body),
    '/accepts-not-array': answer402(required({ accepts: entry() }), v1Body),
    '/version-as-string': answer402(required({ x402Version: '2' }), v1Body),
    '/amount-as-number': answer402(required({}, [entry({ amount: 10000000000 })]), v1Body),
    '/amount-not-integer': answer402(required({}, [entry({ amount: '1.5' })]), v1Body),
    '/pay-to-as-number': answer402(required({}, [entry({ payTo: 42 })]), v1Body),
    '/asset-as-number': answer402(required({}, [entry({ asset: 7 })]), v1Body),
    '/v1-content-in-v2-header': answer402(v1Body, v1Body),
    '/overcharge': answer402(required({}, [entry({ amount: '1000000000000' })])),
    '/unknown-network': answer402(required({}, [entry({ network: 'eip155:8453' })])),
    '/token': answer402(required({}, [entry({ asset: TOKEN, amount: '5' })])),
    '/empty': answer402(required({}, [])),
    '/bad-pay-to': answer402(required({}, [entry({ payTo: 'not-an-address' })])),
    // A v2 header that overcharges next to a modest v1 body: no falling back to the body.
    '/both-v2-overcharges': answer402(required({}, [entry({ amount: '1000000000000' })]), v1Body),
    // Both present and both payable: the header speaks; the v1 body (another payee) is ignored.
    '/both': pays(ok, answer402(required(), v1Body)),
    '/again': pays(answer402(required())),
    '/settle-fails': pays((q, s) => json(s, 402, {}, settleFailed)),
    '/paid': pays(ok),
  };
  server = await startServer(routes);
});
after(() => server.close());

function countingSigner() {
  const key = wasm.Keypair.fromSuri('//Alice');
  const signer = { address: key.address, calls: 0, async signPayload(_p, bytes) {
    signer.calls += 1;
    return { signature: '0x01' + Buffer.from(key.sign(bytes)).toString('hex') };
  } };
  return signer;
}

const wrapped = (signer, options = {}, f = fetch) =>
  wasm.wrapFetchWithPayment(f, signer, { rpcFetch: scriptedRpc({ metadataPath, specVersion: 20000 }).rpcFetch, ...options });

/** The Axios shim on the same terms as `wrapped`. */
const viaAxios = (signer, options = {}) =>
  withX402Interceptor(axios.create({ baseURL: server.url }), signer, { rpcFetch: scriptedRpc({ metadataPath, specVersion: 20000 }).rpcFetch, ...options });

const refusals = [
  ['/bad-base64', 'MALFORMED_402'],
  ['/not-json', 'MALFORMED_402'],
  ['/accepts-not-array', 'MALFORMED_402'],
  ['/version-as-string', 'MALFORMED_402'],
  ['/amount-as-number', 'MALFORMED_402'],
  ['/amount-not-integer', 'MALFORMED_402'],
  ['/pay-to-as-number', 'MALFORMED_402'],
  ['/asset-as-number', 'MALFORMED_402'],
  ['/v1-content-in-v2-header', 'MALFORMED_402'],
  ['/overcharge', 'AMOUNT_OVER_LIMIT'],
  ['/both-v2-overcharges', 'AMOUNT_OVER_LIMIT'],
  ['/unknown-network', 'NETWORK_NOT_ALLOWED'],
  ['/token', 'ASSET_NOT_ALLOWED'],
  ['/empty', 'NO_ACCEPTABLE_REQUIREMENTS'],
  ['/bad-pay-to', 'INVALID_ADDRESS'],
];

for (const [route, code] of refusals) {
  test(`v2 ${route} → ${code}, nothing signed or sent`, async () => {
    const signer = countingSigner();
    const before = paid.length;
    await assert.rejects(wrapped(signer)(`${server.url}${route}`), (e) => e.name === 'X402Error' && e.code === code);
    assert.equal(signer.calls, 0);
    assert.equal(paid.length, before);
  });
  test(`v2 ${route} → ${code} through the Axios shim, nothing signed or sent`, async () => {
    const signer = countingSigner();
    const before = paid.length;
    await assert.rejects(viaAxios(signer).get(route), (e) => e.name === 'X402Error' && e.code === code);
    assert.equal(signer.calls, 0);
    assert.equal(paid.length, before);
  });
}

test('a huge PAYMENT-REQUIRED header is refused by size (MALFORMED_402), nothing signed', async () => {
  // Node's own fetch refuses response headers over 16 KiB (browsers take far more), so this
  // header reaches the wrapper through a stand-in fetch. Valid and payable but for its size.
  const huge = b64(required({ resource: { url: 'http://127.0.0.1/x', description: 'x'.repeat(1024 * 1024) } }));
  const standIn = async () => new Response(JSON.stringify(v1Body), { status: 402, headers: { 'PAYMENT-REQUIRED': huge } });
  const signer = countingSigner();
  await assert.rejects(wrapped(signer, {}, standIn)('http://127.0.0.1/huge'), (e) => e.name === 'X402Error' && e.code === 'MALFORMED_402');
  assert.equal(signer.calls, 0);
});

test('a huge header from a real server: Node\'s fetch gives up, a typed NETWORK_ERROR, nothing signed', async () => {
  const big = await startServer({ '/': answer402(b64({ pad: 'x'.repeat(256 * 1024) })) });
  try {
    const signer = countingSigner();
    await assert.rejects(wrapped(signer)(`${big.url}/`), (e) => e.name === 'X402Error' && e.code === 'NETWORK_ERROR');
    assert.equal(signer.calls, 0);
  } finally {
    await big.close();
  }
});

test('v2 header and v1 body both present: the header wins (PAYMENT-SIGNATURE, its payee and amount)', async () => {
  const key = wasm.Keypair.fromSuri('//Alice');
  const before = paid.length;
  const response = await wrapped(key)(`${server.url}/both`);
  assert.equal(response.status, 200);
  const sent = paid.slice(before);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].legacy, undefined);
  const payload = decode(sent[0].signature);
  assert.equal(payload.x402Version, 2);
  assert.deepEqual(payload.accepted, entry());
  const { summary } = wasm.getPaymentReceipt(response);
  assert.deepEqual([summary.payTo, summary.amount, summary.network, summary.networkId], [BOB, '10000000000', 'vara-testnet', TESTNET]);
});

test('v2: a second 402 after paying is an error, never a second payment', async () => {
  const signer = countingSigner();
  const before = paid.length;
  await assert.rejects(wrapped(signer)(`${server.url}/again`), (e) => e.code === 'PAYMENT_REJECTED_BY_SERVER');
  assert.equal(signer.calls, 1);
  assert.equal(paid.length, before + 1);
});

test('v2: a failed settlement (402 with PAYMENT-RESPONSE success: false) is a typed error, paid once', async () => {
  const signer = countingSigner();
  await assert.rejects(wrapped(signer)(`${server.url}/settle-fails`), (e) => e.name === 'X402Error' && e.code === 'SETTLEMENT_FAILED');
  assert.equal(signer.calls, 1);
});

test('v2: onBeforePayment sees the CAIP-2 network and can refuse before anything is signed', async () => {
  const signer = countingSigner();
  let preview;
  const pay = wrapped(signer, { onBeforePayment: (p) => { preview = p; return false; } });
  await assert.rejects(pay(`${server.url}/paid`), (e) => e.code === 'SIGNER_REJECTED');
  assert.equal(signer.calls, 0);
  assert.deepEqual([preview.payTo, preview.amount], [BOB, '10000000000']);
});

test('v2: networks and genesis hashes named by CAIP-2 id are honoured (NETWORK_NOT_ALLOWED, WRONG_CHAIN)', async () => {
  const signer = countingSigner();
  await assert.rejects(wrapped(signer, { networks: [MAINNET] })(`${server.url}/paid`), (e) => e.code === 'NETWORK_NOT_ALLOWED');
  await assert.rejects(wrapped(signer, { genesisHashes: { [TESTNET]: '0x' + '46'.repeat(32) } })(`${server.url}/paid`), (e) => e.code === 'WRONG_CHAIN');
  // The scripted node is testnet (genesis 0x5256…): allowed by its CAIP-2 id, it pays.
  const ok = await wrapped(wasm.Keypair.fromSuri('//Alice'), { networks: [TESTNET], genesisHashes: { [TESTNET]: TESTNET_GENESIS } })(`${server.url}/paid`);
  assert.equal(ok.status, 200);
  assert.equal(signer.calls, 0);
});

test('v2 pays: the request is repeated with its body and headers plus PAYMENT-SIGNATURE; PAYMENT-RESPONSE is the receipt', async () => {
  const key = wasm.Keypair.fromSuri('//Alice');
  const before = paid.length;
  const response = await wrapped(key)(`${server.url}/paid`, { method: 'POST', body: '{"a":1}', headers: { 'x-custom': 'kept' } });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { ok: true });
  const got = paid[before];
  assert.deepEqual([got.body, got.custom, got.legacy], ['{"a":1}', 'kept', undefined]);
  const payload = decode(got.signature);
  assert.deepEqual(payload.accepted, entry());
  assert.deepEqual(payload.resource, required().resource);
  assert.equal(payload.payload.transaction.address, key.address);
  const receipt = wasm.getPaymentReceipt(response);
  assert.equal(receipt.settlement.success, true);
  assert.deepEqual([receipt.settlement.txHash, receipt.settlement.networkId], [TX_HASH, TESTNET]);
  assert.equal(receipt.header, got.signature);
});

test('Axios pays v2: PAYMENT-REQUIRED read from the header, PAYMENT-SIGNATURE sent, PAYMENT-RESPONSE is the receipt', async () => {
  const key = wasm.Keypair.fromSuri('//Alice');
  const before = paid.length;
  const response = await viaAxios(key).post('/paid', { a: 1 }, { headers: { 'x-custom': 'kept' } });
  assert.equal(response.status, 200);
  assert.deepEqual(response.data, { ok: true });
  const got = paid[before];
  assert.deepEqual([got.body, got.custom, got.legacy], ['{"a":1}', 'kept', undefined]);
  const payload = decode(got.signature);
  assert.equal(payload.x402Version, 2);
  assert.deepEqual(payload.accepted, entry());
  assert.equal(response.x402.settlement.success, true);
  assert.deepEqual([response.x402.settlement.txHash, response.x402.settlement.networkId], [TX_HASH, TESTNET]);
  assert.equal(response.x402.header, got.signature);
});

test('Axios, v2: a failed settlement is SETTLEMENT_FAILED and a second 402 PAYMENT_REJECTED_BY_SERVER, each paid once', async () => {
  for (const [route, code] of [['/settle-fails', 'SETTLEMENT_FAILED'], ['/again', 'PAYMENT_REJECTED_BY_SERVER']]) {
    const signer = countingSigner();
    const before = paid.length;
    await assert.rejects(viaAxios(signer).get(route), (e) => {
      assert.equal(e.name, 'X402Error');
      assert.equal(e.code, code);
      assert.equal(e.status, 402);
      assert.ok(e.receipt?.summary, 'the receipt is attached');
      return true;
    });
    assert.equal(signer.calls, 1, route);
    assert.equal(paid.length, before + 1, route);
  }
});

test('Axios and the @x402 scheme check options when made, as the fetch wrapper does', async () => {
  const { varaExactScheme } = await import('../../dist/js/x402.js');
  const key = wasm.Keypair.fromSuri('//Alice');
  const misspelled = (e) => e.code === 'INVALID_OPTIONS' && /recipient/.test(e.message);
  assert.throws(() => wasm.wrapFetchWithPayment(fetch, key, { recipient: [BOB] }), misspelled);
  assert.throws(() => withX402Interceptor(axios.create(), key, { recipient: [BOB] }), misspelled);
  assert.throws(() => varaExactScheme(key, { recipient: [BOB] }), misspelled);
});
