// varaExactScheme on its own, without a chain: what it hands @x402/core for v1 and v2, and
// how the SDK's spend cap folds into our limits. Chain data comes from the scripted RPC
// stand-in serving real Vara metadata (the end-to-end suite, x402-v2.test.mjs, pays a real
// runtime through the real SDK).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { scriptedRpc } from '../support/scripted-rpc.mjs';

const { varaExactScheme, withSpendCap, findDefaultAsset, VARA_DEFAULT_ASSETS, VARA_TESTNET, VARA_MAINNET, VARA_ASSET } = await import('../../dist/js/x402.js');

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
  // A token: capped when we allow it; the SDK's cap alone allows it up to the cap.
  assert.deepEqual(withSpendCap({ maxAmount: { [TOKEN.toUpperCase().replace('0X', '0x')]: '9' } }, TOKEN, '5').maxAmount, { [TOKEN]: '5' });
  assert.deepEqual(withSpendCap({ maxAmount: { VARA: '1' } }, TOKEN, '5').maxAmount, { VARA: '1', [TOKEN]: '5' });
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

// Tokens. The scripted node answers Gear's gear_calculateReplyForHandle with what a real VFT
// program answered in gtest (tests/vft: awesome-sails 0.3, //Alice holding 5 WUSDC), recorded
// in tests/vft/fixtures/node-answers.json: no node here can run a program.
const recorded = JSON.parse(readFileSync(path.join(repoRoot, 'tests/vft/fixtures/node-answers.json'), 'utf8'));
const WUSDC_TESTNET = '0x9f332e61589e0850dce6d8e6070ea5618de33d9f134a4a35d6d1164dc9002f48';

function tokenNode() {
  const node = scriptedRpc({ metadataPath: path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale'), specVersion: 20000 });
  node.state.answer = (call, answer) => {
    if (call.method !== 'gear_calculateReplyForHandle') return undefined;
    const found = recorded.answers.find((a) => a.payload === call.params[2]);
    return found ? { jsonrpc: '2.0', id: call.id, result: found.answer } : answer;
  };
  return node;
}

const tokenRequirement = (amount, asset = WUSDC_TESTNET) =>
  ({ scheme: 'exact', network: VARA_TESTNET, amount, asset, payTo: BOB, maxTimeoutSeconds: 60, extra: {} });

test('findDefaultAsset knows WUSDC and WUSDT on mainnet and testnet (v1 names and CAIP-2 ids), nothing else', () => {
  for (const network of [VARA_MAINNET, 'vara', VARA_TESTNET, 'vara-testnet']) {
    const table = VARA_DEFAULT_ASSETS[network.startsWith('polkadot:') ? network : network === 'vara' ? VARA_MAINNET : VARA_TESTNET];
    assert.deepEqual(table.map((a) => [a.symbol, a.decimals]), [['WUSDC', 6], ['WUSDT', 6]]);
    for (const entry of table) {
      assert.deepEqual(findDefaultAsset(entry.asset.toUpperCase().replace('0X', '0x'), network), entry);
    }
  }
  assert.equal(findDefaultAsset(WUSDC_TESTNET, VARA_MAINNET), undefined, 'a testnet id on mainnet');
  assert.equal(findDefaultAsset('vara', VARA_TESTNET), undefined, 'VARA is not a USD asset');
  assert.equal(findDefaultAsset(TOKEN, VARA_TESTNET), undefined);
  assert.equal(findDefaultAsset(WUSDC_TESTNET, 'eip155:8453'), undefined);
  assert.equal(varaExactScheme(alice, {}).findDefaultAsset, findDefaultAsset);
});

test('withSpendCap: a token the SDK caps is paid up to the cap even when maxAmount does not list it', () => {
  assert.deepEqual(withSpendCap({}, WUSDC_TESTNET, '1000000').maxAmount, { [WUSDC_TESTNET]: '1000000' });
  assert.deepEqual(withSpendCap({ maxAmount: { [WUSDC_TESTNET]: '300' } }, WUSDC_TESTNET, '1000000').maxAmount, { [WUSDC_TESTNET]: '300' });
  const uncapped = { maxAmount: { VARA: '1' } };
  assert.equal(withSpendCap(uncapped, WUSDC_TESTNET, undefined), uncapped, 'no cap: our limits alone (the token stays refused)');
});

test('the SDK default: WUSDC is capped at "$1" (1000000 units) with no spend-control setting; the program names the token', async () => {
  const { x402Client } = await import('@x402/core/client');
  const previews = [];
  const scheme = varaExactScheme(alice, { rpcFetch: tokenNode().rpcFetch, onBeforePayment: (p) => { previews.push(p); } });
  const client = new x402Client().register(VARA_TESTNET, scheme);
  const paymentRequired = (amount) => ({ x402Version: 2, resource: { url: 'http://shop.test/paid' }, accepts: [tokenRequirement(amount)] });
  const paid = await client.createPaymentPayload(paymentRequired('1000000'));
  assert.equal(paid.accepted.asset, WUSDC_TESTNET);
  // What the payer was shown: the token's facts as its program states them (not `extra`, empty here).
  assert.deepEqual(previews[0].token, { symbol: 'WUSDC', name: 'Bridged USD Coin', decimals: 6, amount: '1' });
  await assert.rejects(client.createPaymentPayload(paymentRequired('1000001')), /spendControls\.maxAmountPerPayment \(\$1, including WUSDC\)/);
  // The scheme alone, handed the SDK's cap: the lower of it and our limit. Limits are checked
  // before any node is asked, so only the server's extra.decimals (none here) can format them.
  await assert.rejects(scheme.createPaymentPayload(2, tokenRequirement('1000001'), { maxAmountPerPayment: '1000000' }), (e) => e.code === 'AMOUNT_OVER_LIMIT' && /asks 1000001 \(smallest unit\)/.test(e.message));
  await assert.rejects(scheme.createPaymentPayload(2, { ...tokenRequirement('1000001'), extra: { decimals: 6 } }, { maxAmountPerPayment: '1000000' }), /asks 1\.000001 tokens \(1000001 in the smallest unit\)/);
});

test('a token that is not a default asset: allowedAssets with its program id and a cap, or our maxAmount', async () => {
  const { x402Client } = await import('@x402/core/client');
  const paymentRequired = (amount) => ({ x402Version: 2, resource: { url: 'http://shop.test/paid' }, accepts: [tokenRequirement(amount, TOKEN)] });
  const node = tokenNode();
  const bare = new x402Client().register(VARA_TESTNET, varaExactScheme(alice, { rpcFetch: node.rpcFetch }));
  await assert.rejects(bare.createPaymentPayload(paymentRequired('5')), /rejected by spendControls/);
  const allowed = new x402Client().register(VARA_TESTNET, varaExactScheme(alice, { rpcFetch: node.rpcFetch }))
    .setSpendControls({ allowedAssets: [{ network: VARA_TESTNET, asset: TOKEN, maxAmountPerPayment: '2000000' }] });
  assert.equal((await allowed.createPaymentPayload(paymentRequired('2000000'))).accepted.asset, TOKEN);
  await assert.rejects(allowed.createPaymentPayload(paymentRequired('2000001')), /allowedAssets maxAmountPerPayment/);
  // Listed without a cap: the SDK lets it through, and our own limit must allow it.
  const uncapped = (options) => new x402Client().register(VARA_TESTNET, varaExactScheme(alice, { rpcFetch: node.rpcFetch, ...options }))
    .setSpendControls({ allowedAssets: [{ network: VARA_TESTNET, asset: TOKEN }] });
  await assert.rejects(uncapped({}).createPaymentPayload(paymentRequired('5')), /ASSET_NOT_ALLOWED|has not been allowed/);
  assert.ok(await uncapped({ maxAmount: { [TOKEN]: '5' } }).createPaymentPayload(paymentRequired('5')));
  // The receipt names the token in its units.
  const { summary } = await wasm.createPaymentHeader(tokenRequirement('1500000', TOKEN), alice, { rpcFetch: node.rpcFetch, maxAmount: { [TOKEN]: '1500000' } });
  assert.deepEqual(summary.token, { symbol: 'WUSDC', name: 'Bridged USD Coin', decimals: 6, amount: '1.5' });
});

test('a payer short of tokens is refused before signing, in the token\'s units (the balance is the program\'s answer)', async () => {
  const e = await wasm.createPaymentHeader(tokenRequirement('6000000', TOKEN), alice, { rpcFetch: tokenNode().rpcFetch, maxAmount: { [TOKEN]: '6000000' } })
    .then(() => null, (error) => error);
  assert.equal(e?.code, 'INSUFFICIENT_BALANCE');
  assert.match(e.message, /holds 5 WUSDC \(5000000 in the smallest unit\).*below the 6 WUSDC \(6000000 in the smallest unit\) asked/);
});
