// varaExactScheme on its own, without a chain: what it hands @x402/core for v1 and v2, and
// how the SDK's spend cap folds into our limits. Chain data comes from the scripted RPC
// stand-in serving real Vara metadata (the end-to-end suite, x402-v2.test.mjs, pays a real
// runtime through the real SDK).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { scriptedRpc } from '../support/scripted-rpc.mjs';

const { varaExactScheme, withSpendCap, VARA_TESTNET, VARA_MAINNET, VARA_ASSET } = await import('../../dist/js/x402.js');

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const TOKEN = '0x' + 'cd'.repeat(32);
const rpc = scriptedRpc({ metadataPath: path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale'), specVersion: 20000 });
const alice = wasm.Keypair.fromSuri('//Alice');

test('the CAIP-2 ids are polkadot: + the first 16 bytes of each genesis hash', () => {
  assert.equal(VARA_TESTNET, 'polkadot:' + rpc.genesisHash.slice(2, 34));
  assert.equal(VARA_MAINNET, 'polkadot:fe1b4c55fd4d668101126434206571a7');
  assert.equal(VARA_ASSET, 'vara');
});

test('withSpendCap: the lower of our limit and the SDK cap wins, per asset', () => {
  assert.deepEqual(withSpendCap({ maxAmount: { VARA: '500' } }, 'vara', '300').maxAmount, { VARA: '300' });
  assert.deepEqual(withSpendCap({ maxAmount: { vara: '200' } }, 'VARA', '300').maxAmount, { VARA: '200' });
  // No limit of ours: the core's default (0.1 VARA) still bounds a larger SDK cap.
  assert.deepEqual(withSpendCap({}, 'vara', String(10n ** 13n)).maxAmount, { VARA: '100000000000' });
  assert.deepEqual(withSpendCap({}, undefined, '7').maxAmount, { VARA: '7' });
  // A token: capped when we allow it, still refused (left out) when we do not.
  assert.deepEqual(withSpendCap({ maxAmount: { [TOKEN.toUpperCase().replace('0X', '0x')]: '9' } }, TOKEN, '5').maxAmount, { [TOKEN]: '5' });
  assert.deepEqual(withSpendCap({ maxAmount: { VARA: '1' } }, TOKEN, '5').maxAmount, { VARA: '1' });
  const bad = { maxAmount: { VARA: 'lots' } };
  assert.equal(withSpendCap(bad, 'vara', '5'), bad); // left for the core to refuse (INVALID_OPTIONS)
  const untouched = { rpcUrls: {} };
  assert.equal(withSpendCap(untouched, 'vara', undefined), untouched);
});

test('v1: the scheme returns the whole X-PAYMENT object the SDK sends as is', async () => {
  const scheme = varaExactScheme(alice, { rpcFetch: rpc.rpcFetch });
  assert.equal(scheme.scheme, 'exact');
  const requirement = { scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '10000000000', resource: 'http://x/paid', payTo: BOB, maxTimeoutSeconds: 60 };
  const out = await scheme.createPaymentPayload(1, requirement, {});
  assert.deepEqual(Object.keys(out), ['x402Version', 'scheme', 'payload', 'network']);
  assert.equal(out.x402Version, 1);
  assert.equal(out.payload.transaction.address, alice.address);
});

test('v2: the scheme returns only { x402Version: 2, payload: { transaction, signature } } (the SDK adds the rest)', async () => {
  const scheme = varaExactScheme(alice, { rpcFetch: rpc.rpcFetch });
  const requirement = { scheme: 'exact', network: VARA_TESTNET, amount: '10000000000', asset: 'vara', payTo: BOB, maxTimeoutSeconds: 60, extra: {} };
  const out = await scheme.createPaymentPayload(2, requirement, {});
  assert.deepEqual(Object.keys(out), ['x402Version', 'payload']);
  assert.equal(out.x402Version, 2);
  assert.deepEqual(Object.keys(out.payload).sort(), ['signature', 'transaction']);
  assert.match(out.payload.signature, /^0x01[0-9a-f]{128}$/);
  await assert.rejects(scheme.createPaymentPayload(2, requirement, { maxAmountPerPayment: '9999999999' }), (e) => e.code === 'AMOUNT_OVER_LIMIT');
});

test('the scheme accepts a polkadot-js-style keyring pair, like the Axios shim', async () => {
  const pair = { address: alice.address, type: 'sr25519', sign: (bytes) => alice.sign(bytes) };
  const scheme = varaExactScheme(pair, { rpcFetch: rpc.rpcFetch });
  const requirement = { scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '10000000000', resource: 'r', payTo: BOB, maxTimeoutSeconds: 60 };
  const out = await scheme.createPaymentPayload(1, requirement);
  assert.equal(out.payload.transaction.address, alice.address);
  assert.throws(() => varaExactScheme({ nothing: true }), (e) => e.name === 'X402Error' && e.code === 'INVALID_OPTIONS');
});

test('a payment the seller refused before submitting it gives its nonce back through onPaymentResponse', async () => {
  // The SDK calls the hook with what it knows after the paid request; a refusal (a 402 with
  // new requirements) releases the nonce, so the next payment does not wait behind a gap.
  const ferdie = wasm.Keypair.fromSuri('//Ferdie');
  const scheme = varaExactScheme(ferdie, { rpcFetch: rpc.rpcFetch });
  const requirement = { scheme: 'exact', network: VARA_TESTNET, amount: '10000000000', asset: 'vara', payTo: BOB, maxTimeoutSeconds: 60, extra: {} };
  const first = await scheme.createPaymentPayload(2, requirement, {});
  const second = await scheme.createPaymentPayload(2, requirement, {});
  assert.equal(parseInt(second.payload.transaction.nonce, 16), parseInt(first.payload.transaction.nonce, 16) + 1, 'handed out in turn');
  // The second was refused: its nonce comes back; the first was taken and stays used.
  const refused = { ...second, accepted: requirement, resource: { url: 'http://x/paid' } };
  await scheme.schemeHooks.onPaymentResponse({ paymentPayload: refused, requirements: requirement, paymentRequired: { x402Version: 2, accepts: [requirement] } });
  const third = await scheme.createPaymentPayload(2, requirement, {});
  assert.equal(third.payload.transaction.nonce, second.payload.transaction.nonce);
});
