// Trust nothing it is handed: a lying node, a forged key handle, careless inputs. Chain data
// comes from a scripted stand-in node serving the REAL metadata blobs (a lie cannot be made
// of a real node here); polkadot-js, with the true metadata, is the judge of what got signed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import axios from 'axios';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { scriptedRpc } from '../support/scripted-rpc.mjs';
import { swapCallIndices } from '../support/lying-metadata.mjs';
import { startServer, json } from '../support/http-server.mjs';

const { withX402Interceptor } = await import('../../dist/js/axios.js');
const { connectExtension, fromSignBytes } = await import('../../dist/js/signers.js');

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const recent = path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale');
const requirements = (over = {}) => ({
  scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '10000000000', resource: 'http://x/paid', description: 'd',
  mimeType: 'application/json', payTo: BOB, maxTimeoutSeconds: 60, outputSchema: null, extra: null, ...over,
});

/** A scripted node for a chain of its own (a fresh genesis hash), so no cache is shared. */
function node(over = {}) {
  const genesisHash = '0x' + randomBytes(32).toString('hex');
  const rpc = scriptedRpc({ metadataPath: recent, specVersion: 20000, genesisHash, ...over });
  return { rpc, options: { rpcFetch: rpc.rpcFetch, genesisHashes: { 'vara-testnet': genesisHash } } };
}

function counting(key) {
  const signer = { address: key.address, calls: 0, signPayload: async (p, b) => { signer.calls += 1; return key.signPayload(p, b); } };
  return signer;
}

let server;
const settlements = [];
before(async () => {
  await cryptoWaitReady();
  server = await startServer({
    '/paid': (q, s, body) => {
      if (!q.headers['x-payment']) return json(s, 402, { x402Version: 1, accepts: [requirements()] });
      settlements.push(body.toString());
      json(s, 200, { ok: true }, { 'X-PAYMENT-RESPONSE': 'not base64 and not a hash %%%' });
    },
  });
});
after(() => server.close());

test('a node swapping transfer_keep_alive and transfer_all: the in-wasm key refuses to sign', async () => {
  const truth = readFileSync(recent);
  const lie = swapCallIndices(truth, ['transfer_keep_alive', 3], ['transfer_all', 4]);
  const { options } = node({ metadata: lie });
  const key = counting(wasm.Keypair.fromSuri('//Alice'));
  await assert.rejects(wasm.createPaymentHeader(requirements(), key, options),
    (e) => e.code === 'UNSUPPORTED_RUNTIME' && /may be lying/.test(e.message));
  assert.equal(key.calls, 0, 'nothing signed');

  // What trusting the node would have signed (polkadot-js's trust model), read by polkadot-js
  // with the TRUE metadata: transferAll to the payee, valid on the real chain.
  const trusting = await wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Alice'), { ...options, trustNodeMetadata: true });
  const registry = new TypeRegistry();
  registry.setMetadata(new Metadata(registry, truth));
  const call = registry.createType('Call', trusting.payload.payload.transaction.method);
  assert.equal(`${call.section}.${call.method}`, 'balances.transferAll');
});

test('inspectPaymentHeader re-reads the runtime version: an upgrade is seen, with an RPC', async () => {
  const { rpc, options } = node();
  const built = await wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Alice'), options);
  await wasm.inspectPaymentHeader(built.header, requirements(), options);
  rpc.state.specVersion = 20001; // the runtime is upgraded
  const before = rpc.calls.length;
  await assert.rejects(wasm.inspectPaymentHeader(built.header, requirements(), options),
    (e) => e.code === 'MALFORMED_HEADER' && /runtime 20000\/1, the chain runs 20001\/1/.test(e.message));
  assert.ok(rpc.calls.slice(before).includes('state_getRuntimeVersion'));
  // A header for the new runtime passes.
  const fresh = await wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Bob'), options);
  assert.equal(parseInt(fresh.payload.payload.transaction.specVersion, 16), 20001);
  await wasm.inspectPaymentHeader(fresh.header, requirements(), options);
});

test('the era is anchored at the best block\'s parent, which a one-block reorg keeps', async () => {
  const { rpc, options } = node({ blockNumber: 500, parentHash: '0x' + 'aa'.repeat(32) });
  const a = await wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Alice'), options);
  assert.equal(a.payload.payload.transaction.blockHash, '0x' + 'aa'.repeat(32));
  assert.equal(parseInt(a.payload.payload.transaction.blockNumber, 16), 499);
  // The best block 500 is replaced by a sibling: same parent, other contents (so another
  // hash). Bob's first payment reads the chain again and keeps the same checkpoint, which an
  // era anchored at the best block itself would have lost.
  rpc.state.answer = (call, correct) =>
    call.method === 'chain_getHeader' ? { ...correct, result: { ...correct.result, stateRoot: '0x' + '44'.repeat(32) } } : undefined;
  const read = rpc.calls.length;
  const b = await wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Bob'), options);
  assert.ok(rpc.calls.slice(read).includes('chain_getHeader'), `the sibling's header was read: ${rpc.calls.slice(read)}`);
  assert.equal(b.payload.payload.transaction.blockHash, a.payload.payload.transaction.blockHash);
  assert.equal(b.payload.payload.transaction.blockNumber, a.payload.payload.transaction.blockNumber);
});

test('key handles cannot be forged, and a freed key stops every wrapper holding it', async () => {
  const { options } = node();
  for (const forged of [JSON.parse('{"__x402KeyId":1}'), { __wbg_ptr: 8 }, { address: BOB }]) {
    await assert.rejects(wasm.createPaymentHeader(requirements(), forged, options), (e) => e.code === 'INVALID_OPTIONS');
  }
  const bob = wasm.Keypair.fromSuri('//Bob');
  const pay = wasm.wrapFetchWithPayment(fetch, bob, options);
  assert.equal((await pay(`${server.url}/paid`)).status, 200);
  bob.free();
  const before = settlements.length;
  await assert.rejects(pay(`${server.url}/paid`), (e) => e.name === 'X402Error' && e.code === 'KEY_FREED');
  assert.equal(settlements.length, before, 'nothing paid after free()');
  assert.throws(() => wasm.wrapFetchWithPayment(fetch, bob, options), (e) => e.code === 'KEY_FREED');
});

test('publicly known keys need { allowDevelopmentKeys: true }', () => {
  for (const suri of ['', '   ', '///', '///password', '//payments']) {
    assert.throws(() => wasm.Keypair.fromSuri(suri), (e) => e.code === 'INVALID_SECRET', JSON.stringify(suri));
    assert.ok(wasm.Keypair.fromSuri(suri, { allowDevelopmentKeys: true }).address);
  }
  assert.throws(() => wasm.Keypair.fromSeed(new Uint8Array(32)), (e) => e.code === 'INVALID_SECRET');
  assert.ok(wasm.Keypair.fromSeed(new Uint8Array(32), { allowDevelopmentKeys: true }).address);
  assert.ok(wasm.Keypair.fromSuri('//Alice').address, 'naming a development account is explicit');
  assert.throws(() => wasm.Keypair.fromSuri('//x', { allowDevKeys: true }), (e) => e.code === 'INVALID_OPTIONS');
});

test('every JS value the wasm receives is checked: URL, Request, toString objects, odd rpcFetch', async () => {
  const { options } = node();
  const pay = wasm.wrapFetchWithPayment(fetch, wasm.Keypair.fromSuri('//Alice'), options);
  for (const input of [new URL(`${server.url}/paid`), new Request(`${server.url}/paid`), { toString: () => `${server.url}/paid` }]) {
    assert.equal((await pay(input)).status, 200, String(input));
  }
  for (const input of [42, null, {}, { toString: () => { throw new Error('no'); } }]) {
    await assert.rejects(pay(input), (e) => e.name === 'X402Error' && e.code === 'INVALID_OPTIONS');
  }
  // rpcFetch: sync, async, throwing, non-Promise, non-Response: answers or typed errors.
  const variants = [
    [(n) => (url, init) => n.rpcFetch(url, init), null], // returns a Promise, not async
    [(n) => async (url, init) => n.rpcFetch(url, init), null],
    [() => () => { throw new Error('boom'); }, 'RPC_ERROR'],
    [() => () => 42, 'RPC_ERROR'],
    [() => async () => ({ ok: true, status: 200 }), 'RPC_ERROR'],
    [() => () => Promise.reject(new TypeError('fetch failed')), 'RPC_ERROR'],
  ];
  for (const [make, code] of variants) {
    const fresh = node();
    const rpcFetch = make(fresh.rpc);
    const run = wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Alice'), { ...fresh.options, rpcFetch });
    if (code) await assert.rejects(run, (e) => e.code === code, String(rpcFetch));
    else assert.ok((await run).header);
  }
});

test('Axios: a garbled receipt after an accepted payment is not an error; stream bodies are replayed', async () => {
  const { options } = node();
  const bodies = [];
  const srv = await startServer({
    '/upload': (q, s, body) => {
      if (!q.headers['x-payment']) return json(s, 402, { x402Version: 1, accepts: [requirements()] });
      bodies.push(body.toString());
      json(s, 200, { ok: true }, { 'X-PAYMENT-RESPONSE': '%%% garbled' });
    },
  });
  try {
    const client = withX402Interceptor(axios.create({ baseURL: srv.url }), wasm.Keypair.fromSuri('//Alice'), options);
    const r = await client.post('/upload', Readable.from([Buffer.from('hello '), Buffer.from('world')]), { headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 200);
    assert.equal(r.x402.settlement, null);
    assert.deepEqual(bodies, ['hello world']);
  } finally {
    await srv.close();
  }
});

test('gasMarginPercent beyond the bound is refused at wrap time', () => {
  assert.throws(() => wasm.wrapFetchWithPayment(fetch, wasm.Keypair.fromSuri('//Alice'), { gasMarginPercent: 4294967200 }),
    (e) => e.code === 'INVALID_OPTIONS' && e.message.includes('gasMarginPercent'));
});

test('a token asset is echoed in the server\'s spelling', async () => {
  const { options } = node();
  const upper = '0x' + 'CD'.repeat(32);
  const out = await wasm.createPaymentHeader(requirements({ asset: upper, maxAmountRequired: '5' }), wasm.Keypair.fromSuri('//Alice'),
    { ...options, maxAmount: { [upper.toLowerCase()]: '5' } });
  assert.equal(out.payload.asset, upper);
});

test('fromSignBytes: a 64-byte signature as hex or bytes, 65 bytes too', async () => {
  const pair = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//Alice');
  const forms = [
    (b) => Buffer.from(pair.sign(b)).toString('hex').replace(/^/, '0x'),
    (b) => pair.sign(b),
    (b) => Uint8Array.from([1, ...pair.sign(b)]),
  ];
  for (const form of forms) {
    const { options } = node();
    assert.ok((await wasm.createPaymentHeader(requirements(), fromSignBytes(pair.address, form), options)).header);
  }
});

test('connectExtension matches accounts by public key and skips non-sr25519 ones', async () => {
  const alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
  const injectedWeb3 = {
    'polkadot-js': {
      enable: async () => ({
        accounts: { get: async () => [{ address: '0x' + 'ee'.repeat(20), type: 'ethereum' }, { address: alice.address, type: 'sr25519' }] },
        signer: { signPayload: async () => ({ signature: '0x' }) },
      }),
    },
  };
  const vara = wasm.Keypair.fromSuri('//Alice').address; // prefix 137, the extension shows prefix 42
  const byKey = await connectExtension({ appName: 't', address: vara, injectedWeb3 });
  assert.equal(byKey.signer.address, alice.address);
  const first = await connectExtension({ appName: 't', injectedWeb3 });
  assert.equal(first.signer.address, alice.address, 'the first sr25519 account, not the ethereum one');
});
