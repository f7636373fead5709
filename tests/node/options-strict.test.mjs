// Options that name one thing twice are refused when a client is made (the two values could
// disagree: `maxAmount: { VARA: '1', vara: '999999999999' }` once paid under the looser one),
// by every entry point; and options that name networks decide where the client pays: set up
// for the testnet alone, it refuses a seller asking for mainnet before reading any node. The
// node is the scripted stand-in (real Vara metadata), so that no public node is asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import axios from 'axios';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { scriptedRpc, TESTNET_GENESIS } from '../support/scripted-rpc.mjs';

const { withX402Interceptor } = await import('../../dist/js/axios.js');
const { varaExactScheme, VARA_MAINNET, VARA_TESTNET } = await import('../../dist/js/x402.js');
const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const TOKEN = 'cd'.repeat(32);
const metadataPath = path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale');
const alice = () => wasm.Keypair.fromSuri('//Alice');

const twice = [
  [{ maxAmount: { VARA: '1', vara: '999999999999' } }, /options\.maxAmount names VARA twice, as "VARA" and "vara": keep one, did you mean "VARA" alone\?/],
  [{ maxAmount: { [`0x${TOKEN.toUpperCase()}`]: '1', [`0x${TOKEN}`]: '2' } }, new RegExp(`names 0x${TOKEN} twice, as "0x${TOKEN.toUpperCase()}" and "0x${TOKEN}": keep one, did you mean "0x${TOKEN}" alone\\?`)],
  [{ rpcUrls: { 'vara-testnet': 'http://127.0.0.1:1', [VARA_TESTNET]: 'http://127.0.0.1:2' } },
    /options\.rpcUrls names vara-testnet twice, as "polkadot:525639f713f397dcf839bd022cd821f3" and "vara-testnet": keep one, did you mean "vara-testnet" alone\?/],
  [{ genesisHashes: { [VARA_MAINNET]: TESTNET_GENESIS, vara: TESTNET_GENESIS } }, /options\.genesisHashes names vara twice/],
  [{ networks: ['vara', VARA_MAINNET] }, /options\.networks names vara twice/],
];

test('one thing named twice is INVALID_OPTIONS with the usual advice, from every entry point, nothing signed', () => {
  for (const [options, message] of twice) {
    const refused = (e) => e.name === 'X402Error' && e.code === 'INVALID_OPTIONS' && message.test(e.message);
    assert.throws(() => wasm.wrapFetchWithPayment(fetch, alice(), options), refused, JSON.stringify(options));
    assert.throws(() => withX402Interceptor(axios.create(), alice(), options), refused, JSON.stringify(options));
    assert.throws(() => varaExactScheme(alice(), options), refused, JSON.stringify(options));
  }
});

const mainnetV1 = { scheme: 'exact', network: 'vara', maxAmountRequired: '10000000000', resource: 'http://127.0.0.1/x', description: 'x',
  mimeType: 'application/json', payTo: BOB, maxTimeoutSeconds: 60, outputSchema: null, extra: null };
const mainnetV2 = { scheme: 'exact', network: VARA_MAINNET, amount: '10000000000', asset: 'vara', payTo: BOB, maxTimeoutSeconds: 60, extra: {} };
const testnetOnly = { rpcUrls: { 'vara-testnet': 'http://127.0.0.1:9944' }, genesisHashes: { [VARA_TESTNET]: TESTNET_GENESIS } };

for (const [label, requirement] of [['v1 "vara"', mainnetV1], ['v2 CAIP-2 mainnet id', mainnetV2]]) {
  test(`set up for the testnet only, a seller asking for mainnet (${label}) is NETWORK_NOT_ALLOWED, saying how to allow it; no node is read`, async () => {
    const rpc = scriptedRpc({ metadataPath, specVersion: 20000 });
    await assert.rejects(wasm.createPaymentHeader(requirement, alice(), { ...testnetOnly, rpcFetch: rpc.rpcFetch }), (e) => {
      assert.equal(e.code, 'NETWORK_NOT_ALLOWED', e.message);
      assert.match(e.message, /options\.rpcUrls and options\.genesisHashes configure only "vara-testnet", so only those are paid/);
      assert.ok(e.message.includes(`list every network to pay on: options.networks: ["vara-testnet", "${requirement.network}"]`), e.message);
      return true;
    });
    assert.deepEqual(rpc.calls, []);
  });
}

test('with `networks` listing both, the same seller is paid on mainnet (here: its node is asked, and found on another chain)', async () => {
  const rpc = scriptedRpc({ metadataPath, specVersion: 20000 });
  const options = { ...testnetOnly, networks: ['vara-testnet', 'vara'], rpcFetch: rpc.rpcFetch };
  // The stand-in node reports the testnet's genesis: for mainnet that is another chain.
  await assert.rejects(wasm.createPaymentHeader(mainnetV1, alice(), options), (e) => e.code === 'WRONG_CHAIN');
  assert.ok(rpc.calls.length > 0);
});

test('with no network named anywhere, both networks are paid as before (mainnet: its node is asked)', async () => {
  const rpc = scriptedRpc({ metadataPath, specVersion: 20000 });
  await assert.rejects(wasm.createPaymentHeader(mainnetV1, alice(), { rpcFetch: rpc.rpcFetch }), (e) => e.code === 'WRONG_CHAIN');
  assert.ok(rpc.calls.length > 0);
});
