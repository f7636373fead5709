// The faulty-node corpus: a JSON-RPC node that misbehaves on purpose (wrong types, missing
// fields, JSON-RPC errors, huge or endless answers, metadata that does not decode, a batch
// answered out of order or in part, a chain or runtime that changes between two payments).
// Every case ends in a typed error with nothing signed, or in a correct payment. The node is
// the scripted stand-in (tests/support/stand-ins.js, serving the REAL metadata fixtures),
// because a real node cannot be made to misbehave here; the hostile-server corpora beside it
// (fetch-wrapper, hostile-v2) do the same for the paid server. Each case has a chain of its
// own (a fresh genesis hash) so that no cache of the client lets it skip the node.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { cryptoWaitReady, signatureVerify, blake2AsU8a } from '@polkadot/util-crypto';
import { wasm } from '../support/wasm-pkg.mjs';
import { startServer, json } from '../support/http-server.mjs';
import { chain, counting, onMethod, withResult, requirements, RECENT, V1000 } from '../support/faulty-node.mjs';
import { accountInfo } from '../support/scripted-rpc.mjs';

before(cryptoWaitReady);

const alice = () => wasm.Keypair.fromSuri('//Alice');
const payerKey = alice().publicKey.slice(2);
const TOKEN = '0x' + 'cd'.repeat(32);

/** Runs one payment on `c` and expects `code` (and `pattern` in the message), nothing signed. */
async function refused(c, code, pattern, { reqs = requirements(), options = {}, signer = counting(alice()) } = {}) {
  let error;
  try {
    await wasm.createPaymentHeader(reqs, signer, { ...c.options, ...options });
  } catch (e) {
    error = e;
  }
  assert.ok(error, `paid instead of ${code}`);
  assert.equal(error.name, 'X402Error', String(error));
  assert.equal(error.code, code, error.message);
  if (pattern) assert.match(error.message, pattern);
  assert.equal(signer.calls, 0, 'nothing signed');
  return error;
}

/** A payment that succeeds, signed once; returns it. */
async function pays(c, { reqs = requirements(), options = {}, signer = counting(alice()) } = {}) {
  const out = await wasm.createPaymentHeader(reqs, signer, { ...c.options, ...options });
  assert.equal(signer.calls, 1);
  return out;
}

// Answers of the wrong type, or without a field the payment needs: each is RPC_ERROR.
const isPayer = (call) => String(call.params?.[0]).endsWith(payerKey);
const storage = (who, fault) => onMethod('state_getStorage', (a, call) => (isPayer(call) === (who === 'payer') ? fault(a) : a));
const header = (over) => (a) => ({ ...a, result: { ...a.result, ...over } });
const version = (over) => (a) => ({ ...a, result: { ...a.result, ...over } });
const badAnswers = [
  ['genesis hash as a number', onMethod('chain_getBlockHash', withResult(42)), /chain_getBlockHash/],
  ['genesis hash null', onMethod('chain_getBlockHash', withResult(null)), /chain_getBlockHash/],
  ['genesis hash of 31 bytes', onMethod('chain_getBlockHash', withResult('0x' + '00'.repeat(31))), /chain_getBlockHash/],
  ['runtime version as a string', onMethod('state_getRuntimeVersion', withResult('20000')), /state_getRuntimeVersion/],
  ['runtime version null', onMethod('state_getRuntimeVersion', withResult(null)), /state_getRuntimeVersion/],
  ['specVersion as a string', onMethod('state_getRuntimeVersion', version({ specVersion: '20000' })), /state_getRuntimeVersion/],
  ['specVersion beyond u32', onMethod('state_getRuntimeVersion', version({ specVersion: 2 ** 32 })), /state_getRuntimeVersion/],
  ['specVersion negative', onMethod('state_getRuntimeVersion', version({ specVersion: -1 })), /state_getRuntimeVersion/],
  ['transactionVersion fractional', onMethod('state_getRuntimeVersion', version({ transactionVersion: 1.5 })), /state_getRuntimeVersion/],
  ['transactionVersion missing', onMethod('state_getRuntimeVersion', withResult({ specName: 'vara', specVersion: 20000 })), /state_getRuntimeVersion/],
  ['header as an array', onMethod('chain_getHeader', withResult([])), /chain_getHeader/],
  ['header number as a JSON number', onMethod('chain_getHeader', header({ number: 1234567 })), /chain_getHeader/],
  ['header number beyond u32', onMethod('chain_getHeader', header({ number: '0x1' + '0'.repeat(9) })), /chain_getHeader/],
  ['header number not hex', onMethod('chain_getHeader', header({ number: '0xzz' })), /chain_getHeader/],
  ['header parentHash short', onMethod('chain_getHeader', header({ parentHash: '0x1234' })), /chain_getHeader/],
  ['header without parentHash', onMethod('chain_getHeader', header({ parentHash: undefined })), /chain_getHeader/],
  ['nonce as a string', onMethod('system_accountNextIndex', withResult('7')), /system_accountNextIndex/],
  ['nonce negative', onMethod('system_accountNextIndex', withResult(-1)), /system_accountNextIndex/],
  ['nonce beyond u32', onMethod('system_accountNextIndex', withResult(2 ** 32)), /system_accountNextIndex/],
  ['nonce fractional', onMethod('system_accountNextIndex', withResult(7.5)), /system_accountNextIndex/],
  ['payer account as a number', storage('payer', withResult(42)), /System.Account/],
  ['payer account not hex', storage('payer', withResult('0xzz')), /System.Account/],
  ['payer account too short for a balance', storage('payer', withResult('0x00')), /System.Account/],
  ['recipient account as a number', storage('recipient', withResult(42)), /System.Account/],
  ['recipient account as an object', storage('recipient', withResult({})), /System.Account/],
  ['recipient account not hex', storage('recipient', withResult('yes')), /System.Account/],
  ['metadata as a number', onMethod('state_getMetadata', withResult(42)), /state_getMetadata/],
  ['metadata not hex', onMethod('state_getMetadata', withResult('meta')), /state_getMetadata/],
];
for (const [name, fault] of badAnswers.map(([n, f, p]) => [n, [f, p]])) {
  test(`wrong type or missing field: ${name} → RPC_ERROR`, async () => {
    const c = chain();
    c.rpc.state.answer = fault[0];
    await refused(c, 'RPC_ERROR', fault[1]);
  });
}

const METHODS = ['chain_getBlockHash', 'state_getRuntimeVersion', 'chain_getHeader', 'system_accountNextIndex', 'state_getStorage', 'state_getMetadata'];

for (const method of METHODS) {
  test(`a JSON-RPC error from ${method} → RPC_ERROR naming it`, async () => {
    const c = chain();
    c.rpc.state.answer = onMethod(method, (a) => ({ jsonrpc: '2.0', id: a.id, error: { code: -32000, message: 'database locked' } }));
    await refused(c, 'RPC_ERROR', new RegExp(`${method} failed: database locked`));
  });

  test(`an answer to ${method} with neither result nor error → RPC_ERROR`, async () => {
    const c = chain();
    c.rpc.state.answer = onMethod(method, (a) => ({ jsonrpc: '2.0', id: a.id }));
    await refused(c, 'RPC_ERROR', new RegExp(`${method}: answer has no result`));
  });
}

test('odd JSON-RPC error objects: no message, a string, a huge message (cut, as a server\'s reason is)', async () => {
  for (const [error, pattern] of [[{ code: 1 }, /unknown error/], ['boom', /unknown error/], [{ code: 1, message: 'x'.repeat(1 << 20) }, /failed/]]) {
    const c = chain();
    c.rpc.state.answer = onMethod('state_getRuntimeVersion', (a) => ({ jsonrpc: '2.0', id: a.id, error }));
    const e = await refused(c, 'RPC_ERROR', pattern);
    assert.ok(e.message.length < 1000, `a message of ${e.message.length} characters`);
  }
});

test('a token payment: a gas estimate of the wrong type, or an error, → RPC_ERROR', async () => {
  const reqs = requirements({ asset: TOKEN, maxAmountRequired: '5' });
  const options = { maxAmount: { [TOKEN]: '5' } };
  for (const fault of [header({ min_limit: '2000000000' }), (a) => ({ jsonrpc: '2.0', id: a.id, error: { code: 8000, message: 'program not found' } })]) {
    const c = chain();
    c.rpc.state.answer = onMethod('gear_calculateHandleGas', fault);
    await refused(c, 'RPC_ERROR', /gear_calculateHandleGas/, { reqs, options });
  }
  await pays(chain(), { reqs, options }); // the same payment from an honest node
});

// The HTTP answer itself.
const badReplies = [
  ['HTTP 500', () => new Response('overloaded', { status: 500 }), /HTTP 500/],
  ['non-JSON', () => new Response('<html>gateway</html>', { status: 200 }), /non-JSON/],
  ['non-UTF-8', () => new Response(new Uint8Array([0x5b, 0xff, 0xfe, 0x5d]), { status: 200 }), /non-UTF-8/],
  ['an empty body', () => new Response('', { status: 200 }), /non-JSON/],
  ['JSON null', () => new Response('null', { status: 200 }), /no result/],
  ['an empty batch', (answers) => (Array.isArray(answers) ? [] : answers), /no answer to/],
  ['a batch of numbers', (answers) => (Array.isArray(answers) ? answers.map((_, i) => i) : answers), /without an id/],
  ['ids as strings', (answers) => (Array.isArray(answers) ? answers.map((a) => ({ ...a, id: String(a.id) })) : answers), /without an id/],
  ['an unknown id', (answers) => (Array.isArray(answers) ? [...answers, { ...answers[0], id: 99 }] : answers), /unknown id/],
];
for (const [name, reply, pattern] of badReplies) {
  test(`the node answers with ${name} → RPC_ERROR`, async () => {
    const c = chain();
    c.rpc.state.reply = reply;
    await refused(c, 'RPC_ERROR', pattern);
  });
}

test('a node without batch support (one error object for a batch): single calls, and a correct payment', async () => {
  const c = chain();
  c.rpc.state.reply = (answers) => (Array.isArray(answers) ? { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch' } } : answers);
  const out = await pays(c);
  assert.equal(out.summary.nonce, 7);
});

test('one garbled answer to a batch does not make the client give up batches for that URL', async () => {
  const c = chain();
  let requests = 0;
  let garble = true;
  c.rpc.state.reply = (answers) => {
    requests += 1;
    if (garble && Array.isArray(answers)) {
      garble = false;
      return new Response('<html>502 from a proxy</html>', { status: 200 });
    }
    return answers;
  };
  await pays(c); // the same payment falls back to single calls
  requests = 0;
  await pays(c, { signer: counting(wasm.Keypair.fromSuri('//Bob')) });
  assert.equal(requests, 1, 'the next read is one batch again');
});

test('concurrent payments against a faulty node: each a typed error, none signed, none left waiting', async () => {
  const c = chain();
  c.rpc.state.answer = onMethod('chain_getHeader', withResult({ number: 5 }));
  const signers = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve'].map((s) => counting(wasm.Keypair.fromSuri(s)));
  const outcomes = await Promise.allSettled(signers.flatMap((s) => [1, 2].map(() => wasm.createPaymentHeader(requirements(), s, c.options))));
  assert.deepEqual(outcomes.map((o) => o.reason?.code), Array(10).fill('RPC_ERROR'));
  assert.deepEqual(signers.map((s) => s.calls), [0, 0, 0, 0, 0]);
  c.rpc.state.answer = null; // the node recovers: the same payers pay
  for (const s of signers) await pays(c, { signer: s });
});

// Batches answered out of order, or in part.
test('a batch answered in reverse or shuffled order: the same correct payment', async () => {
  const shuffle = (a) => a.map((x) => [Math.random(), x]).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
  for (const reorder of [(a) => [...a].reverse(), shuffle]) {
    const c = chain({ nonce: 41, parentHash: '0x' + 'ab'.repeat(32), blockNumber: 900 });
    c.rpc.state.reply = (answers) => (Array.isArray(answers) ? reorder(answers) : answers);
    const { summary } = await pays(c);
    assert.equal(summary.nonce, 41);
    assert.equal(summary.blockHash, '0x' + 'ab'.repeat(32));
    assert.equal(summary.validFrom, 899);
    assert.equal(summary.specVersion, 20000);
  }
});

for (const method of METHODS) {
  test(`a batch without the answer to ${method} → RPC_ERROR`, async () => {
    const c = chain();
    c.rpc.state.reply = (answers, body) => (Array.isArray(answers) ? answers.filter((_, i) => body[i].method !== method) : answers);
    await refused(c, 'RPC_ERROR', new RegExp(`no answer to ${method}`));
  });
}

test('a batch answering one call twice (the second a different nonce) → RPC_ERROR', async () => {
  const c = chain();
  c.rpc.state.reply = (answers, body) => {
    if (!Array.isArray(answers)) return answers;
    const i = body.findIndex((b) => b.method === 'system_accountNextIndex');
    return [...answers, { ...answers[i], result: 0 }];
  };
  await refused(c, 'RPC_ERROR', /system_accountNextIndex/);
});

test('a batch answering one call twice in place of another → RPC_ERROR', async () => {
  const c = chain();
  c.rpc.state.reply = (answers) => (Array.isArray(answers) ? answers.map((a, i) => (i === 1 ? { ...answers[0] } : a)) : answers);
  await refused(c, 'RPC_ERROR');
});

// Values of the right type at their extremes: a payment or a typed error, never a trap.
test('extreme values of the right type: a correct payment or a typed error, never a crash', async () => {
  const MAX_U128 = 2n ** 128n - 1n;
  const cases = [
    ['best block 2^32-1', { blockNumber: 2 ** 32 - 1 }],
    ['best block 0', { blockNumber: 0 }],
    ['best block 1', { blockNumber: 1 }],
    ['nonce 2^32-1', { nonce: 2 ** 32 - 1 }],
    ['a free balance of 2^128-1', {}, (c) => { c.rpc.state.answer = storage('payer', withResult(accountInfo(MAX_U128))); }],
  ];
  for (const [name, over, script] of cases) {
    const c = chain(over);
    script?.(c);
    for (const who of ['//Alice', '//Alice']) { // twice: the second payment follows the first's nonce
      try {
        const { summary } = await wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri(who), c.options);
        assert.ok(summary.validFrom <= Math.max(0, (over.blockNumber ?? 1234567) - 1), name);
      } catch (e) {
        assert.equal(e.name, 'X402Error', `${name}: ${e}`);
      }
    }
  }
  // Gas estimates far above any block's limit: the largest safe integer is capped at the
  // block's limit; u64::MAX is past what JSON.parse keeps exact, and is a bad answer.
  const reqs = requirements({ asset: TOKEN, maxAmountRequired: '5' });
  const options = { maxAmount: { [TOKEN]: '5' } };
  const big = chain({ gasMinLimit: Number.MAX_SAFE_INTEGER });
  const { summary } = await pays(big, { reqs, options });
  assert.ok(BigInt(summary.gasLimit) > 0n && BigInt(summary.gasLimit) < BigInt(Number.MAX_SAFE_INTEGER), String(summary.gasLimit));
  const max = chain();
  max.rpc.state.answer = onMethod('gear_calculateHandleGas', (a) => ({ ...a, result: { ...a.result, min_limit: 'U64MAX' } }));
  max.rpc.state.reply = (answers) => new Response(JSON.stringify(answers).replace('"U64MAX"', '18446744073709551615'), { status: 200 });
  await refused(max, 'RPC_ERROR', /gear_calculateHandleGas/, { reqs, options });
});

test('an answer nested 100,000 deep (in a field the client ignores) → RPC_ERROR, and the client goes on', async () => {
  for (const depth of [200, 10_000, 100_000]) {
    const c = chain();
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    c.rpc.state.reply = (answers) => new Response(JSON.stringify(answers).replace('"vara"', deep), { status: 200 });
    await refused(c, 'RPC_ERROR', /non-JSON|nested/);
  }
  await pays(chain());
});

// Size: an answer past 16 MiB is refused, and an endless one is not read to its end.
const MIB = 1024 * 1024;
test('a 17 MiB answer with its Content-Length → RPC_ERROR before reading it', async () => {
  const c = chain();
  const body = ' '.repeat(17 * MIB);
  c.rpc.state.reply = () => new Response(body, { status: 200, headers: { 'content-length': String(body.length) } });
  await refused(c, 'RPC_ERROR', /exceeds 16777216 bytes/);
});

test('an endless answer without a Content-Length → RPC_ERROR, abandoned past the limit', async () => {
  const c = chain();
  let pulled = 0;
  c.rpc.state.reply = () => new Response(new ReadableStream({
    pull(controller) {
      pulled += 1;
      controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
    },
  }), { status: 200 });
  await refused(c, 'RPC_ERROR', /exceeds 16777216 bytes/);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(pulled <= 16 * 16 + 4, `${pulled} chunks of 64 KiB were pulled`);
});

test('a metadata answer just under the limit (padded) still pays', async () => {
  const c = chain();
  c.rpc.state.reply = (answers) => new Response(JSON.stringify(answers) + ' '.repeat(15 * MIB), { status: 200 });
  await pays(c);
});

// Metadata that does not decode: UNSUPPORTED_RUNTIME, nothing signed.
const realHex = '0x' + readFileSync(RECENT).toString('hex');
/** The real metadata's first `n` bytes. */
const cut = (n) => realHex.slice(0, 2 + 2 * n);
const badMetadata = [
  ['random bytes', '0x' + randomBytes(4096).toString('hex'), /magic/],
  ['empty', '0x', /does not decode|magic/],
  ['the wrong magic', '0x6d657461'.replace('61', '62') + realHex.slice(10), /magic/],
  ['V13', '0x6d657461' + '0d' + realHex.slice(12), /V13/],
  ['cut in half', cut(readFileSync(RECENT).length >> 1), /does not decode/],
  ['cut after 19 bytes', cut(19), /does not decode/],
];
for (const [name, hex, pattern] of badMetadata) {
  test(`metadata ${name} → UNSUPPORTED_RUNTIME`, async () => {
    const c = chain();
    c.rpc.state.metadataHex = hex;
    await refused(c, 'UNSUPPORTED_RUNTIME', pattern);
  });
}

// Several endpoints: a bad answer hands over to the next URL; all bad names each.
test('a node answering badly hands over to the next URL, which pays', async () => {
  for (const fault of [
    onMethod('system_accountNextIndex', withResult('seven')),
    onMethod('chain_getBlockHash', withResult('0x' + '99'.repeat(32))), // another chain
    onMethod('chain_getHeader', (a) => ({ jsonrpc: '2.0', id: a.id, error: { code: 1, message: 'pruned' } })),
  ]) {
    const c = chain({ urls: 2 });
    c.nodes[0].rpc.state.answer = fault;
    const out = await pays(c);
    assert.equal(out.summary.nonce, 7);
    assert.ok(c.nodes[1].rpc.calls.length > 0);
  }
});

test('every node answering badly → RPC_ERROR naming each URL and why', async () => {
  const c = chain({ urls: 2 });
  c.nodes[0].rpc.state.answer = onMethod('system_accountNextIndex', withResult('seven'));
  c.nodes[1].rpc.state.reply = () => new Response('bad gateway', { status: 502 });
  const e = await refused(c, 'RPC_ERROR', /all 2 RPC endpoints failed/);
  assert.ok(e.message.includes(c.nodes[0].url) && e.message.includes('system_accountNextIndex'), e.message);
  assert.ok(e.message.includes(c.nodes[1].url) && e.message.includes('HTTP 502'), e.message);
});

test('every node on another chain → WRONG_CHAIN', async () => {
  const c = chain({ urls: 2 });
  for (const n of c.nodes) n.rpc.state.genesisHash = '0x' + randomBytes(32).toString('hex');
  await refused(c, 'WRONG_CHAIN', /all 2 RPC endpoints failed/);
});

test('a node whose metadata does not decode hands over to the next URL', async () => {
  const c = chain({ urls: 2 });
  c.nodes[0].rpc.state.metadataHex = cut(100000);
  const out = await pays(c);
  assert.equal(out.summary.specVersion, 20000);
});

// Time: a node that never answers, or stops mid-answer.
test('a node that never answers → TIMEOUT; with a second URL, that one pays', async () => {
  const hang = () => new Promise(() => {});
  const one = chain();
  one.rpc.state.reply = hang;
  await refused(one, 'TIMEOUT', /did not answer within 200 ms/, { options: { timeoutMs: 200 } });
  const two = chain({ urls: 2 });
  two.nodes[0].rpc.state.reply = hang;
  await pays(two, { options: { timeoutMs: 200 } });
});

test('a node that stops in the middle of its answer → TIMEOUT', async () => {
  const c = chain();
  c.rpc.state.reply = () => new Response(new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('[{"jsonrpc":"2.0",'));
    },
  }), { status: 200 });
  await refused(c, 'TIMEOUT', undefined, { options: { timeoutMs: 200 } });
});

// Between two payments: the chain changes under the same URL, or its runtime is upgraded.
test('a node that moves to another chain between two payments → WRONG_CHAIN', async () => {
  const c = chain();
  await pays(c);
  c.rpc.state.genesisHash = '0x' + randomBytes(32).toString('hex');
  // A payer this process has not used on this chain, so the node is read.
  await refused(c, 'WRONG_CHAIN', /is on chain/, { signer: counting(wasm.Keypair.fromSuri('//Bob')) });
});

const registryOf = (file) => {
  const registry = new TypeRegistry();
  registry.setMetadata(new Metadata(registry, readFileSync(file)));
  return registry;
};

test('a runtime upgrade between two payments: the second is built from the refreshed metadata', async () => {
  const c = chain({ metadataPath: V1000, specVersion: 1000 });
  const first = (await pays(c)).payload.payload.transaction;
  assert.deepEqual(first.signedExtensions, registryOf(V1000).signedExtensions);

  c.rpc.state.specVersion = 20000;
  c.rpc.state.metadataHex = realHex;
  const metadataReads = c.rpc.calls.filter((m) => m === 'state_getMetadata').length;
  const out = await pays(c, { signer: counting(wasm.Keypair.fromSuri('//Bob')) });
  const tx = out.payload.payload.transaction;
  assert.equal(c.rpc.calls.filter((m) => m === 'state_getMetadata').length, metadataReads + 1, 'the metadata was read again');

  const registry = registryOf(RECENT);
  assert.equal(parseInt(tx.specVersion, 16), 20000);
  assert.deepEqual(tx.signedExtensions, registry.signedExtensions);
  assert.notDeepEqual(tx.signedExtensions, first.signedExtensions);
  const raw = registry.createType('ExtrinsicPayload', tx, { version: tx.version }).toU8a({ method: true });
  assert.ok(signatureVerify(raw.length > 256 ? blake2AsU8a(raw) : raw, out.payload.payload.signature, tx.address).isValid,
    'polkadot-js, with the new metadata, verifies the signature');
  const call = registry.createType('Call', tx.method);
  assert.equal(`${call.section}.${call.method}`, 'balances.transferKeepAlive');
  await wasm.inspectPaymentHeader(out.header, requirements(), c.options);
});

test('an upgrade to metadata that does not decode → UNSUPPORTED_RUNTIME; once fixed, the next payment pays', async () => {
  const c = chain();
  await pays(c);
  c.rpc.state.specVersion = 20001;
  c.rpc.state.metadataHex = cut(1000);
  await refused(c, 'UNSUPPORTED_RUNTIME', /does not decode/, { signer: counting(wasm.Keypair.fromSuri('//Bob')) });
  c.rpc.state.metadataHex = realHex;
  const out = await pays(c, { signer: counting(wasm.Keypair.fromSuri('//Charlie')) });
  assert.equal(out.summary.specVersion, 20001);
});

test('a transaction version bump alone refreshes the metadata too', async () => {
  const c = chain();
  await pays(c);
  c.rpc.state.transactionVersion = 2;
  const before = c.rpc.calls.filter((m) => m === 'state_getMetadata').length;
  const out = await pays(c, { signer: counting(wasm.Keypair.fromSuri('//Bob')) });
  assert.equal(parseInt(out.payload.payload.transaction.transactionVersion, 16), 2);
  assert.equal(c.rpc.calls.filter((m) => m === 'state_getMetadata').length, before + 1);
});

test('inspectPaymentHeader against a faulty node: a typed error', async () => {
  const c = chain();
  const { header: paid } = await pays(c);
  c.rpc.state.answer = onMethod('state_getRuntimeVersion', withResult({ specVersion: 'new' }));
  await assert.rejects(wasm.inspectPaymentHeader(paid, requirements(), c.options), (e) => e.code === 'RPC_ERROR');
  c.rpc.state.answer = null;
  c.rpc.state.reply = () => new Response('', { status: 503 });
  await assert.rejects(wasm.inspectPaymentHeader(paid, requirements(), c.options), (e) => e.code === 'RPC_ERROR' && /HTTP 503/.test(e.message));
});

test('through the fetch wrapper: a faulty node stops the payment before the server sees one', async () => {
  const paid = [];
  const server = await startServer({
    '/paid': (q, s) => {
      if (q.headers['x-payment']) paid.push(q.headers['x-payment']);
      json(s, 402, { x402Version: 1, accepts: [requirements()] });
    },
  });
  try {
    const c = chain();
    c.rpc.state.answer = onMethod('system_accountNextIndex', withResult(null));
    const signer = counting(alice());
    await assert.rejects(wasm.wrapFetchWithPayment(fetch, signer, c.options)(`${server.url}/paid`), (e) => e.code === 'RPC_ERROR');
    assert.equal(signer.calls, 0);
    assert.deepEqual(paid, []);
  } finally {
    await server.close();
  }
});
