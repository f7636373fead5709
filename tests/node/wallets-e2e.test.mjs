// Every account kind pays a real Vara runtime (the testnet genesis runtime under chopsticks)
// through the reference x402-vara server: sr25519, ed25519 and ecdsa keyring pairs and
// callbacks, the stand-in extension (tests/browser/fake-extension.js) in its Polkadot{.js}
// and Talisman behaviours, and polkadot-api signers. This runtime (spec 1000) has no
// CheckMetadataHash: everything signs mode 0, and the Ledger account is refused by the wallet
// itself, as Talisman and Polkadot{.js} refuse it there (tests/node/wallets.test.mjs checks
// mode 1 against polkadot-js and polkadot-api).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { getPolkadotSigner } from '@polkadot-api/signer';
import { connectInjectedExtension } from '@polkadot-api/pjs-signer';
import axios from 'axios';
import { wasm } from '../support/wasm-pkg.mjs';
import { startChain, waitUntil, VARA } from '../support/local-chain.mjs';
import { startReferenceServer } from '../support/reference-server.mjs';
import { installFakeExtension, ACCOUNT_KINDS } from '../browser/fake-extension.js';

const { connectExtension, fromSignBytes } = await import('../../dist/js/signers.js');
const { withX402Interceptor } = await import('../../dist/js/axios.js');

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 20_000_000_000n;
let chain, server, options;
const keyring = new Keyring({ ss58Format: 137 });
const pairs = {};

before(async () => {
  await cryptoWaitReady();
  chain = await startChain();
  for (const [kind, { suri, type }] of Object.entries(ACCOUNT_KINDS)) {
    if (type === 'ethereum') continue;
    pairs[kind] = keyring.addFromUri(suri, {}, type);
    await chain.fund(pairs[kind].address, 1000n * VARA);
  }
  await chain.fund(BOB, 100n * VARA);
  server = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: BOB, price: String(PRICE) });
  options = { rpcUrls: { 'vara-testnet': chain.httpUrl }, genesisHashes: { 'vara-testnet': chain.genesisHash }, maxAmount: { VARA: String(PRICE) } };
});
after(async () => {
  delete globalThis.injectedWeb3;
  await server?.stop();
  await chain?.stop();
});

/** Pays once with `signer` and checks the chain: payTo +PRICE, the payer's nonce +1. */
async function paysOnChain(signer, payer) {
  const [bobBefore, nonceBefore] = [await chain.freeBalance(BOB), await chain.nonce(payer)];
  const response = await wasm.wrapFetchWithPayment(fetch, signer, options)(`${server.url}/paid`);
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(wasm.getPaymentReceipt(response).summary.payer, payer);
  assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) === bobBefore + PRICE), 'payTo rose by exactly the price');
  assert.ok(await waitUntil(async () => (await chain.nonce(payer)) === nonceBefore + 1), 'the payer\'s nonce moved on');
}

for (const kind of ['ed25519', 'ecdsa']) {
  test(`${kind} keyring pair: executed on chain`, () => paysOnChain(pairs[kind], pairs[kind].address));
  test(`${kind} callback (fromSignBytes, bare signature): executed on chain`, () =>
    paysOnChain(fromSignBytes(pairs[kind].address, (b) => pairs[kind].sign(b), { type: kind }), pairs[kind].address));
}

// The ledger's extrinsic hash is computed from the signature's own length (66 bytes for
// ecdsa): the watcher finds the extrinsic by that hash, so a wrong one would never confirm.
for (const kind of ['ed25519', 'ecdsa']) {
  test(`${kind} keyring pair: the ledger entry is confirmed executed by the chain watcher, its hash the chain's`, async () => {
    const ledger = await wasm.PaymentLedger.open();
    const response = await wasm.wrapFetchWithPayment(fetch, pairs[kind], { ...options, ledger })(`${server.url}/paid`);
    assert.equal(response.status, 200, await response.clone().text());
    const verdict = await wasm.confirmPayment(wasm.getPaymentReceipt(response), options);
    assert.equal(verdict.status, 'executed');
    assert.ok(await waitUntil(async () => ledger.entries()[0]?.stage === 'executed'), `ledger stage: ${ledger.entries()[0]?.stage}`);
    const [entry] = ledger.entries();
    assert.equal(ledger.entries().length, 1);
    assert.equal(entry.amount, String(PRICE));
    const block = await chain.rpc('chain_getBlock', [verdict.blockHash]);
    assert.equal(blake2AsHex(block.block.extrinsics[verdict.index]), entry.txHash);
  });
}

for (const style of ['polkadot-js', 'talisman']) {
  test(`the stand-in extension (${style}): sr25519, ed25519 and ecdsa accounts pay`, async () => {
    globalThis.injectedWeb3 = {};
    installFakeExtension({ rpcUrl: chain.httpUrl, style, accounts: ['sr25519', 'ed25519', 'ecdsa'] });
    for (const kind of ['sr25519', 'ed25519', 'ecdsa']) {
      const { signer } = await connectExtension({ appName: 'e2e', address: pairs[kind].address });
      await paysOnChain(signer, pairs[kind].address);
    }
  });

  test(`the stand-in extension (${style}): a Ledger account is refused by the wallet on a runtime without CheckMetadataHash`, async () => {
    globalThis.injectedWeb3 = {};
    installFakeExtension({ rpcUrl: chain.httpUrl, style, accounts: ['ledger'] });
    const { signer } = await connectExtension({ appName: 'e2e' });
    const before = await chain.freeBalance(BOB);
    await assert.rejects(wasm.wrapFetchWithPayment(fetch, signer, options)(`${server.url}/paid`),
      (e) => e.code === 'SIGNER_REJECTED' && e.message === "the signer refused: This network doesn't support Ledger Polkadot Generic App.");
    assert.equal(await chain.freeBalance(BOB), before);
  });
}

test('polkadot-api signers (sr25519, ed25519): executed on chain', async () => {
  for (const [kind, type] of [['sr25519', 'Sr25519'], ['ed25519', 'Ed25519']]) {
    const pair = pairs[kind];
    await paysOnChain(getPolkadotSigner(pair.publicKey, type, (b) => pair.sign(b)), pair.address);
  }
});

test('a polkadot-api signer through the Axios shim: executed on chain', async () => {
  const pair = pairs.ed25519;
  const [bobBefore, nonceBefore] = [await chain.freeBalance(BOB), await chain.nonce(pair.address)];
  const client = withX402Interceptor(axios.create({ baseURL: server.url }), getPolkadotSigner(pair.publicKey, 'Ed25519', (b) => pair.sign(b)), options);
  const response = await client.get('/paid');
  assert.equal(response.status, 200);
  assert.equal(response.x402.summary.payer, pair.address);
  assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) === bobBefore + PRICE));
  assert.ok(await waitUntil(async () => (await chain.nonce(pair.address)) === nonceBefore + 1));
});

test('@polkadot-api/pjs-signer over the stand-in extension: executed on chain', async () => {
  globalThis.window = globalThis;
  globalThis.injectedWeb3 = {};
  installFakeExtension({ rpcUrl: chain.httpUrl, accounts: ['ed25519', 'ecdsa'] });
  const extension = await connectInjectedExtension('fake-extension', 'e2e');
  for (const account of extension.getAccounts()) await paysOnChain(account.polkadotSigner, account.address);
  extension.disconnect();
  delete globalThis.window;
});
