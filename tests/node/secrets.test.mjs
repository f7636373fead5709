// Secrets never reach JavaScript: keys made inside the wasm from a mnemonic with a password, a
// hex seed and a SURI with a hard path and a password are used the way an app uses them
// (paying, refusals of every kind that involve the key, invalid variants of each secret,
// free() then use), and every error (message, stack, cause, own properties), every `console`
// line and every JS-visible property of the keys, receipts and results is searched for the
// phrase (or any two consecutive words of it), the password, the seed and the secret key
// bytes. Fresh secrets each run; polkadot-js derives the same keys, so the bytes searched
// for are the real ones. The node is the scripted stand-in (real metadata), the server a
// local HTTP server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import { randomBytes } from 'node:crypto';
import axios from 'axios';
import {
  cryptoWaitReady, mnemonicGenerate, mnemonicToMiniSecret, mnemonicValidate, sr25519PairFromSeed, keyExtractSuri, keyFromPath, encodeAddress,
} from '@polkadot/util-crypto';
import { wasm } from '../support/wasm-pkg.mjs';
import { startServer, json } from '../support/http-server.mjs';
import { chain, requirements } from '../support/faulty-node.mjs';
import { harvest, secretMatcher, captureConsole } from '../support/secret-scan.mjs';

const { withX402Interceptor } = await import('../../dist/js/axios.js');

let server;
let paidHeaders = [];
const items = []; // everything JS saw, scanned at the end
const seen = (value, label) => items.push(...harvest(value, label));
let consoleCapture;

before(async () => {
  await cryptoWaitReady();
  consoleCapture = captureConsole();
  const accepts = (over) => ({ x402Version: 1, accepts: [requirements(over)] });
  server = await startServer({
    '/paid': (q, s) => {
      if (!q.headers['x-payment']) return json(s, 402, accepts());
      paidHeaders.push(q.headers['x-payment']);
      json(s, 200, { ok: true }, { 'X-PAYMENT-RESPONSE': '0x' + 'ef'.repeat(32) });
    },
    '/again': (q, s) => json(s, 402, accepts()),
    '/fails': (q, s) => (q.headers['x-payment'] ? json(s, 500, { error: 'boom' }) : json(s, 402, accepts())),
    '/overcharge': (q, s) => json(s, 402, accepts({ maxAmountRequired: '1000000000000' })),
  });
});
after(async () => {
  consoleCapture?.restore();
  await server?.close();
});

/** Fresh secrets: a 24-word phrase, a password, a seed, and a SURI of another phrase. */
function makeSecrets() {
  const phrase = mnemonicGenerate(24);
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const seedHex = '0x' + randomBytes(32).toString('hex');
  const suriPhrase = mnemonicGenerate(12);
  const suriPassword = `sp-${randomBytes(12).toString('hex')}`;
  const suri = `${suriPhrase}//hard///${suriPassword}`;
  // The same keys by polkadot-js: their mini secrets and expanded secret keys are searched for.
  const fromMnemonic = sr25519PairFromSeed(mnemonicToMiniSecret(phrase, password));
  const fromSeed = sr25519PairFromSeed(Buffer.from(seedHex.slice(2), 'hex'));
  const parsed = keyExtractSuri(suri);
  const suriRoot = sr25519PairFromSeed(mnemonicToMiniSecret(parsed.phrase, parsed.password));
  const fromSuri = keyFromPath(suriRoot, parsed.path, 'sr25519');
  const secretBytes = [mnemonicToMiniSecret(phrase, password), mnemonicToMiniSecret(suriPhrase, suriPassword), Buffer.from(seedHex.slice(2), 'hex')];
  for (const pair of [fromMnemonic, fromSeed, suriRoot, fromSuri]) {
    secretBytes.push(pair.secretKey, pair.secretKey.slice(0, 32), pair.secretKey.slice(32));
  }
  return {
    phrase, password, seedHex, suriPhrase, suriPassword, suri, secretBytes,
    addresses: { mnemonic: encodeAddress(fromMnemonic.publicKey, 137), seed: encodeAddress(fromSeed.publicKey, 137), suri: encodeAddress(fromSuri.publicKey, 137) },
  };
}
const S = makeSecrets();

/** A phrase made invalid in one word: not a BIP39 word, or a valid word that breaks the checksum. */
function typo(phrase) {
  const words = phrase.split(' ');
  words[2] = words[2].slice(0, -1) + (words[2].endsWith('q') ? 'x' : 'q');
  return words.join(' ');
}
function badChecksum(phrase) {
  const words = phrase.split(' ');
  for (const candidate of ['abandon', 'zoo', 'wrong', 'ability', 'zone', 'able']) {
    const out = [...words.slice(0, -1), candidate].join(' ');
    if (!mnemonicValidate(out)) return out;
  }
  throw new Error('no invalid checksum found');
}

const keys = () => ({
  mnemonic: wasm.Keypair.fromMnemonic(S.phrase, S.password),
  seed: wasm.Keypair.fromSeed(S.seedHex),
  suri: wasm.Keypair.fromSuri(S.suri),
});

/** Runs `f`, expecting an X402Error with `code`; the error joins what is scanned. */
async function expectError(label, code, f) {
  let error;
  try {
    await f();
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${label}: no error`);
  seen(error, `${label} error`);
  assert.equal(error.code, code, `${label}: ${error.message}`);
  return error;
}

test('the wasm keys are the keys polkadot-js derives from the same secrets', () => {
  const k = keys();
  for (const kind of Object.keys(k)) assert.equal(k[kind].address, S.addresses[kind], kind);
  assert.equal(wasm.Keypair.fromSeed(Buffer.from(S.seedHex.slice(2), 'hex')).address, S.addresses.seed);
});

for (const kind of ['mnemonic', 'seed', 'suri']) {
  test(`${kind} key: paying, every refusal involving it, and free() reveal nothing`, async () => {
    const key = keys()[kind];
    seen(key, `${kind} key`);
    for (const shown of [JSON.stringify(key), String(key), util.inspect(key, { showHidden: true, depth: Infinity, getters: true }), `${key}`]) {
      items.push({ path: `${kind} key shown`, text: String(shown) });
    }
    const c = chain();
    const options = c.options;

    // Paying: the fetch wrapper, Axios, createPaymentHeader and what comes back.
    const pay = wasm.wrapFetchWithPayment(fetch, key, options);
    seen(pay, `${kind} wrapped fetch`);
    const response = await pay(`${server.url}/paid`);
    assert.equal(response.status, 200);
    seen(response, `${kind} response`);
    seen(wasm.getPaymentReceipt(response), `${kind} receipt`);
    const api = withX402Interceptor(axios.create({ baseURL: server.url }), key, options);
    const viaAxios = await api.get('/paid');
    seen({ data: viaAxios.data, x402: viaAxios.x402, headers: viaAxios.headers, config: viaAxios.config }, `${kind} axios response`);
    const built = await wasm.createPaymentHeader(requirements(), key, options);
    seen(built, `${kind} createPaymentHeader`);
    seen(wasm.decodePaymentHeader(built.header), `${kind} decoded header`);
    seen(await wasm.inspectPaymentHeader(built.header, requirements(), options), `${kind} inspected header`);
    seen(wasm.releasePayment(built.header), `${kind} released`);
    seen(key.sign(new Uint8Array([1, 2, 3])), `${kind} signature`);
    seen(await key.signPayload({}, new Uint8Array([1, 2, 3])), `${kind} signPayload`);

    // Refusals that involve the key.
    await expectError(`${kind} over limit`, 'AMOUNT_OVER_LIMIT', () => pay(`${server.url}/overcharge`));
    await expectError(`${kind} onBeforePayment false`, 'SIGNER_REJECTED',
      () => wasm.wrapFetchWithPayment(fetch, key, { ...options, onBeforePayment: () => false })(`${server.url}/paid`));
    await expectError(`${kind} onBeforePayment throws`, 'SIGNER_REJECTED',
      () => wasm.wrapFetchWithPayment(fetch, key, { ...options, onBeforePayment: () => { throw new Error('user said no'); } })(`${server.url}/paid`));
    await expectError(`${kind} 402 again`, 'PAYMENT_REJECTED_BY_SERVER', () => pay(`${server.url}/again`));
    await expectError(`${kind} settlement failed`, 'SETTLEMENT_FAILED', () => pay(`${server.url}/fails`));
    await expectError(`${kind} axios 402 again`, 'PAYMENT_REJECTED_BY_SERVER', () => api.get('/again'));
    await expectError(`${kind} unknown option`, 'INVALID_OPTIONS', () => wasm.wrapFetchWithPayment(fetch, key, { ...options, maxAmmount: {} }));
    await expectError(`${kind} network not allowed`, 'NETWORK_NOT_ALLOWED',
      () => wasm.createPaymentHeader(requirements(), key, { ...options, networks: ['vara'] }));
    await expectError(`${kind} recipient not allowed`, 'RECIPIENT_NOT_ALLOWED',
      () => wasm.createPaymentHeader(requirements(), key, { ...options, recipients: [S.addresses.seed] }));
    const poor = chain({ accountExists: false });
    await expectError(`${kind} no balance`, 'INSUFFICIENT_BALANCE', () => wasm.createPaymentHeader(requirements(), key, poor.options));
    const elsewhere = chain({ genesisHash: '0x' + '45'.repeat(32) });
    await expectError(`${kind} wrong chain`, 'WRONG_CHAIN',
      () => wasm.createPaymentHeader(requirements(), key, { ...elsewhere.options, genesisHashes: { 'vara-testnet': '0x' + randomBytes(32).toString('hex') } }));
    const broken = chain();
    broken.rpc.state.reply = () => new Response('no', { status: 500 });
    await expectError(`${kind} RPC error`, 'RPC_ERROR', () => wasm.createPaymentHeader(requirements(), key, broken.options));
    const unreachable = chain();
    const withCause = await expectError(`${kind} RPC unreachable`, 'RPC_ERROR',
      () => wasm.createPaymentHeader(requirements(), key, { ...unreachable.options, rpcFetch: () => Promise.reject(new TypeError('fetch failed')) }));
    assert.ok(withCause.cause instanceof TypeError, 'the platform error is the cause');
    await expectError(`${kind} mismatch`, 'PAYMENT_MISMATCH',
      () => wasm.inspectPaymentHeader(built.header, requirements({ maxAmountRequired: '20000000000' }), options));
    await expectError(`${kind} bad key options`, 'INVALID_OPTIONS', () => wasm.Keypair.fromSuri(S.suri, { allowDevelopmentKeys: 'yes' }));

    // free(), then every use.
    key.free();
    seen(key, `${kind} freed key`);
    await expectError(`${kind} freed: pay`, 'KEY_FREED', () => pay(`${server.url}/paid`));
    await expectError(`${kind} freed: axios`, 'KEY_FREED', () => api.get('/paid'));
    await expectError(`${kind} freed: wrap`, 'KEY_FREED', () => wasm.wrapFetchWithPayment(fetch, key, options));
    await expectError(`${kind} freed: createPaymentHeader`, 'KEY_FREED', () => wasm.createPaymentHeader(requirements(), key, options));
    await expectError(`${kind} freed: address`, 'KEY_FREED', () => key.address);
    await expectError(`${kind} freed: sign`, 'KEY_FREED', () => key.sign(new Uint8Array(1)));
    await expectError(`${kind} freed: signPayload`, 'KEY_FREED', () => key.signPayload({}, new Uint8Array(1)));
    for (const shown of [JSON.stringify(key), String(key), util.inspect(key, { showHidden: true, depth: Infinity, getters: true })]) {
      items.push({ path: `${kind} freed key shown`, text: String(shown) });
    }
  });
}

test('invalid variants of each secret: INVALID_SECRET, naming no word of them', async () => {
  const short = S.seedHex.slice(0, -2);
  const cases = [
    ['mnemonic with a typo', () => wasm.Keypair.fromMnemonic(typo(S.phrase), S.password)],
    ['mnemonic with a bad checksum', () => wasm.Keypair.fromMnemonic(badChecksum(S.phrase), S.password)],
    ['mnemonic missing a word', () => wasm.Keypair.fromMnemonic(S.phrase.split(' ').slice(1).join(' '), S.password)],
    ['mnemonic with a word too many', () => wasm.Keypair.fromMnemonic(`${S.phrase} abandon`, S.password)],
    ['mnemonic, words out of order', () => wasm.Keypair.fromMnemonic(S.phrase.split(' ').reverse().join(' '), S.password)],
    ['mnemonic not a string', () => wasm.Keypair.fromMnemonic({ toString: () => S.phrase }, S.password)],
    ['password a number', () => wasm.Keypair.fromMnemonic(S.phrase, 12345)],
    ['password an object that prints it', () => wasm.Keypair.fromMnemonic(S.phrase, { toString: () => S.password })],
    ['password a symbol', () => wasm.Keypair.fromMnemonic(S.phrase, Symbol(S.password))],
    ['password an array', () => wasm.Keypair.fromMnemonic(S.phrase, [S.password])],
    ['seed of 31 bytes', () => wasm.Keypair.fromSeed(short)],
    ['seed of 33 bytes', () => wasm.Keypair.fromSeed(S.seedHex + 'ab')],
    ['seed with a non-hex digit', () => wasm.Keypair.fromSeed(S.seedHex.slice(0, -1) + 'g')],
    ['seed without 0x', () => wasm.Keypair.fromSeed(S.seedHex.slice(2, -2))],
    ['seed bytes, 31 of them', () => wasm.Keypair.fromSeed(Buffer.from(short.slice(2), 'hex'))],
    ['seed as a number array', () => wasm.Keypair.fromSeed([...Buffer.from(S.seedHex.slice(2), 'hex')])],
    ['SURI with a typo', () => wasm.Keypair.fromSuri(`${typo(S.suriPhrase)}//hard///${S.suriPassword}`)],
    ['SURI with a bad checksum', () => wasm.Keypair.fromSuri(`${badChecksum(S.suriPhrase)}//hard///${S.suriPassword}`)],
    ['SURI with a short seed', () => wasm.Keypair.fromSuri(`${short}//hard///${S.suriPassword}`)],
    ['SURI with an empty junction', () => wasm.Keypair.fromSuri(`${S.suriPhrase}//hard//`)],
    ['SURI not a string', () => wasm.Keypair.fromSuri({ toString: () => S.suri })],
  ];
  for (const [label, make] of cases) {
    const e = await expectError(label, 'INVALID_SECRET', make);
    assert.ok(!e.message.includes(typo(S.phrase).split(' ')[2]), `${label}: the typo'd word is named`);
  }
  // None of it broke the key module: the same secrets still make the same keys.
  assert.equal(wasm.Keypair.fromMnemonic(S.phrase, S.password).address, S.addresses.mnemonic);
  assert.equal(wasm.Keypair.fromMnemonic(S.phrase, null).address, wasm.Keypair.fromMnemonic(S.phrase).address);
});

test('no secret in any error, console line or JS-visible property', (t) => {
  const typoWords = [typo(S.phrase), typo(S.suriPhrase)].map((p) => p.split(' ')[2]);
  const leaks = secretMatcher({
    phrases: [S.phrase, S.suriPhrase, typo(S.phrase), typo(S.suriPhrase), badChecksum(S.phrase), badChecksum(S.suriPhrase)],
    texts: [S.password, S.suriPassword, S.phrase, S.suriPhrase, ...typoWords],
    bytes: S.secretBytes,
  });
  const all = [...items, ...consoleCapture.lines, ...paidHeaders.map((h) => harvest(h, 'header the server got')).flat()];
  t.diagnostic(`${all.length} items scanned, ${consoleCapture.lines.length} console lines`);
  assert.ok(all.length > 1000, `only ${all.length} items were scanned`);
  assert.deepEqual(leaks(all), []);
  // The scan itself finds what it looks for (else the test above would prove nothing).
  assert.ok(leaks(harvest({ e: new Error(`bad ${S.phrase.split(' ').slice(3, 5).join('  ')}`) })).length > 0);
  assert.ok(leaks(harvest({ b: S.secretBytes[0] })).length > 0);
  assert.ok(leaks(harvest(Buffer.from(JSON.stringify({ k: S.seedHex.slice(2) })).toString('base64'))).length > 0);
  assert.ok(leaks([{ path: 'p', text: `x${S.suriPassword}x` }]).length > 0);
});
