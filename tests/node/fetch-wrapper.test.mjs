// The fetch wrapper against misbehaving servers: every refusal comes back as an X402Error
// with its code, and nothing is signed. Chain data comes from a scripted RPC stand-in serving
// real Vara metadata (the end-to-end suite pays a real runtime through the reference server).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { scriptedRpc } from '../support/scripted-rpc.mjs';
import { once } from 'node:events';
import { startServer, json } from '../support/http-server.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const TOKEN = '0x' + 'cd'.repeat(32);
const TX_HASH = '0x' + 'ef'.repeat(32);
const metadataPath = path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale');

const accepts = (over = {}) => ({
  scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '10000000000', resource: 'http://127.0.0.1/x',
  description: 'test', mimeType: 'application/json', payTo: BOB, maxTimeoutSeconds: 60, outputSchema: null, extra: null, ...over,
});
const required = (over) => ({ x402Version: 1, accepts: [accepts(over)] });

let server;
let hugeChunksSent = 0;
const seen = [];
before(async () => {
  server = await startServer({
    '/overcharge': (q, s) => json(s, 402, required({ maxAmountRequired: '1000000000000' })),
    '/unknown-network': (q, s) => json(s, 402, required({ network: 'base-sepolia' })),
    '/token': (q, s) => json(s, 402, required({ asset: TOKEN, maxAmountRequired: '5' })),
    '/zero': (q, s) => json(s, 402, required({ maxAmountRequired: '0' })),
    '/zero-token': (q, s) => json(s, 402, required({ asset: TOKEN, maxAmountRequired: '0' })),
    '/malformed': (q, s) => { s.writeHead(402, { 'content-type': 'application/json' }); s.end('{"x402Version":1,"accepts":[{'); },
    '/empty': (q, s) => json(s, 402, { x402Version: 1, accepts: [] }),
    '/bad-pay-to': (q, s) => json(s, 402, required({ payTo: 'not-an-address' })),
    '/huge': (q, s) => { s.writeHead(402, { 'content-type': 'application/json' }); s.end(' '.repeat(8 * 1024 * 1024)); },
    // 30,000 levels of arrays in 60 KB, under the body limit: deep enough to exhaust a stack.
    '/deep': (q, s) => {
      s.writeHead(402, { 'content-type': 'application/json' });
      s.end(JSON.stringify(required({ extra: 'DEEP' })).replace('"DEEP"', '['.repeat(30000) + ']'.repeat(30000)));
    },
    // Streams up to 256 MiB without a Content-Length; stops when the client hangs up.
    '/huge-chunked': async (q, s) => {
      s.writeHead(402, { 'content-type': 'application/json' });
      const chunk = ' '.repeat(64 * 1024);
      hugeChunksSent = 0;
      while (hugeChunksSent < 4096 && !s.destroyed && !s.socket?.destroyed) {
        hugeChunksSent += 1;
        if (!s.write(chunk)) await Promise.race([once(s, 'drain'), once(s, 'close')]);
      }
      s.end();
    },
    '/again': (q, s) => json(s, 402, required(), {}),
    '/paid': (q, s, body) => {
      const header = q.headers['x-payment'];
      if (!header) return json(s, 402, required());
      seen.push({ header, body: body.toString('latin1'), custom: q.headers['x-custom'], ctype: q.headers['content-type'] });
      json(s, 200, { ok: true }, { 'X-PAYMENT-RESPONSE': TX_HASH, 'Access-Control-Expose-Headers': 'X-PAYMENT-RESPONSE' });
    },
  });
});
after(() => server.close());

function countingSigner(suri = '//Alice') {
  const key = wasm.Keypair.fromSuri(suri);
  const signer = {
    address: key.address,
    calls: 0,
    async signPayload(_payload, bytes) {
      signer.calls += 1;
      return { signature: '0x01' + Buffer.from(key.sign(bytes)).toString('hex') };
    },
  };
  return signer;
}

function wrapped(signer, options = {}) {
  const rpc = scriptedRpc({ metadataPath, specVersion: 20000 });
  return wasm.wrapFetchWithPayment(fetch, signer, { rpcFetch: rpc.rpcFetch, ...options });
}

const refusals = [
  ['/overcharge', 'AMOUNT_OVER_LIMIT'],
  ['/unknown-network', 'NETWORK_NOT_ALLOWED'],
  ['/token', 'ASSET_NOT_ALLOWED'],
  // A zero transfer still costs the payer a fee.
  ['/zero', 'ZERO_AMOUNT'],
  ['/zero-token', 'ZERO_AMOUNT'],
  ['/malformed', 'MALFORMED_402'],
  ['/empty', 'NO_ACCEPTABLE_REQUIREMENTS'],
  ['/bad-pay-to', 'INVALID_ADDRESS'],
  ['/huge', 'MALFORMED_402'],
  ['/huge-chunked', 'MALFORMED_402'],
  ['/deep', 'MALFORMED_402'],
];

for (const [route, code] of refusals) {
  test(`${route} → ${code}, nothing signed`, async () => {
    const signer = countingSigner();
    await assert.rejects(wrapped(signer)(`${server.url}${route}`), (e) => e.name === 'X402Error' && e.code === code);
    assert.equal(signer.calls, 0);
  });
}

test('a misspelled option is refused at wrap time, naming it and the closest valid one; money never moves', () => {
  const signer = countingSigner();
  const cases = [
    [{ recipient: [BOB] }, /unknown option "recipient", did you mean "recipients"\?/],
    [{ rpcUrl: 'http://127.0.0.1:1' }, /did you mean "rpcUrls"/],
    [{ rpcUrls: { testnet: 'http://127.0.0.1:1' } }, /unknown network key "testnet", did you mean "vara-testnet"/],
    [{ maxAmount: { VARA: 1.5 } }, /options\.maxAmount\["VARA"\]/],
    [{ eraPeriod: 100 }, /would be used as 128/],
    [{ onBeforePay: () => true }, /did you mean "onBeforePayment"/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => wasm.wrapFetchWithPayment(fetch, signer, options), (e) => e.code === 'INVALID_OPTIONS' && message.test(e.message), JSON.stringify(options));
  }
  // BigInts and safe integers are taken exactly.
  assert.equal(typeof wasm.wrapFetchWithPayment(fetch, signer, { maxAmount: { VARA: 10n ** 11n } }), 'function');
  assert.equal(signer.calls, 0);
});

test('an endless 402 body is abandoned once past the limit, not read to the end', async () => {
  await assert.rejects(wrapped(countingSigner())(`${server.url}/huge-chunked`), (e) => e.code === 'MALFORMED_402');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(hugeChunksSent < 4096, `the server streamed ${hugeChunksSent} chunks of 64 KiB`);
});

test('a second 402 after paying is an error, never a second payment', async () => {
  const signer = countingSigner();
  await assert.rejects(wrapped(signer)(`${server.url}/again`), (e) => e.code === 'PAYMENT_REJECTED_BY_SERVER');
  assert.equal(signer.calls, 1);
});

test('onBeforePayment can refuse before anything is signed', async () => {
  const signer = countingSigner();
  let preview;
  const pay = wrapped(signer, { onBeforePayment: async (p) => { preview = p; return false; } });
  await assert.rejects(pay(`${server.url}/paid`), (e) => e.code === 'SIGNER_REJECTED');
  assert.equal(signer.calls, 0);
  assert.equal(preview.payTo, BOB);
  assert.equal(preview.amount, '10000000000');
});

test('a signer that refuses becomes SIGNER_REJECTED', async () => {
  const key = wasm.Keypair.fromSuri('//Alice');
  const signer = { address: key.address, signPayload: async () => { throw new Error('Cancelled'); } };
  await assert.rejects(wrapped(signer)(`${server.url}/paid`), (e) => e.code === 'SIGNER_REJECTED' && /Cancelled/.test(e.message));
});

test('a signer returning a wrong signature is caught before the request is repeated', async () => {
  const key = wasm.Keypair.fromSuri('//Bob');
  const alice = wasm.Keypair.fromSuri('//Alice');
  const signer = { address: alice.address, signPayload: async (_p, b) => ({ signature: '0x01' + Buffer.from(key.sign(b)).toString('hex') }) };
  const before = seen.length;
  await assert.rejects(wrapped(signer)(`${server.url}/paid`), (e) => e.code === 'INVALID_SIGNATURE');
  assert.equal(seen.length, before);
});

test('a node on another chain is refused (WRONG_CHAIN)', async () => {
  const rpc = scriptedRpc({ metadataPath, specVersion: 20000, genesisHash: '0x' + '45'.repeat(32) });
  // A payer this process has not seen, so the node is asked (a warm payer with a fresh
  // checkpoint pays from what it already read from the right chain, asking no node at all).
  const signer = countingSigner('//Charlie');
  const rpcUrls = { 'vara-testnet': 'http://127.0.0.1:9/another-node' };
  const pay = wasm.wrapFetchWithPayment(fetch, signer, { rpcFetch: rpc.rpcFetch, rpcUrls });
  await assert.rejects(pay(`${server.url}/paid`), (e) => e.code === 'WRONG_CHAIN' && e.message.includes('options.genesisHashes'));
  // A caller expecting another chain behind an already-known URL is refused too.
  const other = wasm.wrapFetchWithPayment(fetch, signer, { rpcFetch: rpc.rpcFetch, genesisHashes: { 'vara-testnet': '0x' + '46'.repeat(32) } });
  await assert.rejects(other(`${server.url}/paid`), (e) => e.code === 'WRONG_CHAIN');
  assert.equal(signer.calls, 0);
});

test('pays, repeats the request with its body and headers, and exposes the receipt', async () => {
  const key = wasm.Keypair.fromSuri('//Alice');
  const pay = wrapped(key);
  const bodies = [
    ['string', () => 'plain text body'],
    ['json', () => JSON.stringify({ a: 1 })],
    ['arraybuffer', () => new Uint8Array([1, 2, 3, 250]).buffer],
    ['formdata', () => { const f = new FormData(); f.set('field', 'value'); return f; }],
    ['stream', () => new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('streamed')); c.close(); } })],
  ];
  for (const [kind, make] of bodies) {
    const before = seen.length;
    const init = { method: 'POST', body: make(), headers: { 'x-custom': kind }, duplex: 'half' };
    const response = await pay(`${server.url}/paid`, init);
    assert.equal(response.status, 200, kind);
    assert.deepEqual(await response.json(), { ok: true });
    const got = seen[before];
    assert.equal(got.custom, kind);
    if (kind === 'string') assert.equal(got.body, 'plain text body');
    if (kind === 'json') assert.equal(got.body, '{"a":1}');
    if (kind === 'arraybuffer') assert.deepEqual([...Buffer.from(got.body, 'latin1')], [1, 2, 3, 250]);
    if (kind === 'formdata') assert.match(got.body, /name="field"\r\n\r\nvalue/);
    if (kind === 'stream') assert.equal(got.body, 'streamed');
    const receipt = wasm.getPaymentReceipt(response);
    assert.equal(receipt.settlement.txHash, TX_HASH);
    assert.equal(receipt.summary.payTo, BOB);
    assert.equal(receipt.summary.amount, '10000000000');
    assert.equal(receipt.header, got.header);
    const decoded = wasm.decodePaymentHeader(got.header);
    assert.equal(decoded.network, 'vara-testnet');
    assert.equal(decoded.payload.transaction.address, key.address);
  }
});

test('responses that were not paid have no receipt, and pass through untouched', async () => {
  const pay = wrapped(countingSigner());
  const response = await pay(`${server.url}/nothing-here`);
  assert.equal(response.status, 404);
  assert.equal(wasm.getPaymentReceipt(response), undefined);
});

test('an unreachable server is NETWORK_ERROR, not an RPC error', async () => {
  const signer = countingSigner();
  await assert.rejects(wrapped(signer)('http://127.0.0.1:9/unreachable'), (e) =>
    e.name === 'X402Error' && e.code === 'NETWORK_ERROR' && e.message.includes('http://127.0.0.1:9/unreachable') && e.cause instanceof Error);
  assert.equal(signer.calls, 0);
});

test('signer mistakes say what was passed and what to pass instead, never echoing a string', () => {
  const forms = /Keypair\.fromSuri.*connectExtension.*fromKeyringPair/;
  const cases = [
    [undefined, /a signer is required/],
    ['//Alice//secret', /the signer is a string; .*Keypair\.fromSuri\(secret\)/],
    [42, /the signer must be an object/],
    [{ address: BOB }, /neither signPayload\(payload\) nor sign\(bytes\)/],
    [{ sign: () => new Uint8Array(64) }, /no `address` string/],
  ];
  for (const [signer, message] of cases) {
    assert.throws(() => wasm.wrapFetchWithPayment(fetch, signer), (e) => {
      assert.equal(e.code, 'INVALID_OPTIONS');
      assert.match(e.message, message);
      assert.match(e.message, forms);
      assert.ok(!e.message.includes('//Alice//secret'));
      return true;
    });
  }
});

test('a bare { address, sign } callback pays through the fetch wrapper', async () => {
  const key = wasm.Keypair.fromSuri('//Alice');
  const before = seen.length;
  const response = await wrapped({ address: key.address, sign: (bytes) => key.sign(bytes) })(`${server.url}/paid`);
  assert.equal(response.status, 200);
  assert.equal(seen.length, before + 1);
  assert.equal(wasm.getPaymentReceipt(response).summary.payer, key.address);
});
