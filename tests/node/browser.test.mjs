// In real headless Chromium and Firefox (Debian's, driven by puppeteer-core over CDP and
// WebDriver BiDi): a page with the stand-in Polkadot extension (Polkadot{.js} behaviour) pays
// the reference server on the local Vara chain through this package's browser entry with
// every account kind (sr25519, ed25519, ecdsa; the Ledger account is refused by the wallet on
// this runtime, which has no CheckMetadataHash), and the same page when the extension
// refuses; a second page (Talisman behaviour) signs every kind in mode 1 against a scripted
// node serving a runtime with CheckMetadataHash, checked here by polkadot-js and
// @polkadot-api/merkleize-metadata. Same assertions in each engine.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, signatureVerify, blake2AsU8a } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { startScriptedRpcServer } from '../support/scripted-rpc-server.mjs';
import { ACCOUNT_KINDS } from '../browser/fake-extension.js';
import { VARA } from '../support/local-chain.mjs';
import { waitUntil } from '../support/local-chain.mjs';
import { startLocalShop } from '../support/reference-server.mjs';
import { buildTestPage, launch, newPage, packageAliases, serveStatic, waitForText } from '../support/browsers.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const ALICE = 'kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW';
const PRICE = 40_000_000_000n;
const out = path.join(repoRoot, '.cache/browser-test');
const RECENT = path.join(repoRoot, 'tests/fixtures/vara-recent.metadata.scale');
const KINDS = ['sr25519', 'ed25519', 'ecdsa', 'ledger'];
let shop, chain, server, site, modeOne;
const addresses = {};

before(async () => {
  await cryptoWaitReady();
  for (const kind of KINDS) {
    addresses[kind] = new Keyring({ ss58Format: 137 }).addFromUri(ACCOUNT_KINDS[kind].suri, {}, ACCOUNT_KINDS[kind].type).address;
  }
  // The packaged entries, as a bundler resolves them: one JS file, the wasm embedded in it.
  await buildTestPage(out);
  await buildReadmeExample(path.join(out, 'readme'));
  shop = await startLocalShop({ payTo: BOB, price: PRICE });
  ({ chain, server } = shop);
  for (const kind of ['ed25519', 'ecdsa', 'ledger']) await chain.fund(addresses[kind], 1000n * VARA);
  site = await serveStatic(out);
  // The public testnet's genesis: the client asks for mode 1 where the runtime has it.
  modeOne = await startScriptedRpcServer({ metadataPath: RECENT, specVersion: 20000 });
});

after(async () => {
  await modeOne?.close();
  await site?.close();
  await shop?.stop();
});

/** The README's browser example ("In a browser, with an extension") as a page of its own. */
async function buildReadmeExample(dir) {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## In a browser, with an extension'));
  const code = section.slice(section.indexOf('```js typecheck\n') + 16, section.indexOf('\n```\n'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'example.js'), code);
  await build({ entryPoints: [path.join(dir, 'example.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    outfile: path.join(dir, 'page.js'), logLevel: 'error', alias: packageAliases() });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="/readme/page.js"></script><body></body>');
}

/** Checks a header signed in the page in mode 1 as a facilitator and the chain would. */
function checkModeOne(payload) {
  const registry = new TypeRegistry();
  registry.setMetadata(new Metadata(registry, readFileSync(RECENT)));
  const { transaction: tx, signature } = payload.payload;
  const digest = u8aToHex(merkleizeMetadata(readFileSync(RECENT), { decimals: 12, tokenSymbol: 'TVARA', base58Prefix: 137 }).digest());
  assert.equal(tx.mode, 1);
  assert.equal(tx.metadataHash, digest);
  const bytes = registry.createType('ExtrinsicPayload', tx, { version: 4 }).toU8a({ method: true });
  return signatureVerify(bytes.length > 256 ? blake2AsU8a(bytes) : bytes, signature, tx.address);
}

for (const engine of ['chromium', 'firefox']) {
  describe(engine, () => {
    let browser, page, talisman;
    const pay = (address) => page.evaluate((args) => window.runPayment(args), { rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash, url: `${server.url}/paid`, address });

    before(async () => {
      browser = await launch(engine);
      page = await newPage(browser, { extension: { rpcUrl: chain.httpUrl, accounts: KINDS } });
      await page.goto(site.url);
      await page.waitForFunction(() => window.pageReady === true, { timeout: 30_000 });
      talisman = await newPage(browser, { extension: { rpcUrl: modeOne.url, accounts: KINDS, style: 'talisman' } });
      await talisman.goto(site.url);
      await talisman.waitForFunction(() => window.pageReady === true, { timeout: 30_000 });
    });
    after(async () => { await browser?.close(); });

    test(`${engine}: the synchronous API throws NOT_READY before the wasm is loaded`, async () => {
      const { error } = await page.evaluate(() => window.beforeReady);
      assert.equal(error?.name, 'X402Error');
      assert.equal(error.code, 'NOT_READY');
      assert.match(error.message, /await ready\(\)/);
    });

    test(`${engine}: the page pays through the extension and shows the resource`, async () => {
      const before = await chain.freeBalance(BOB);
      const result = await pay();
      assert.equal(result.error, undefined, JSON.stringify(result.error));
      assert.equal(result.status, 200);
      assert.deepEqual(result.body, { ok: true, joke: 'a VARA walks into a bar' });
      assert.match(result.receipt.settlement.txHash, /^0x[0-9a-f]{64}$/); // readable: the server exposes the header
      assert.equal(result.receipt.summary.payer, ALICE);
      assert.match(await page.$eval('body', (b) => b.textContent), /a VARA walks into a bar/);
      assert.equal(await page.evaluate(() => window.fakeExtension.signRequests), 1);
      await waitUntil(async () => (await chain.freeBalance(BOB)) !== before);
      assert.equal(await chain.freeBalance(BOB), before + PRICE);
    });

    for (const kind of ['ed25519', 'ecdsa']) {
      test(`${engine}: an ${kind} extension account pays, executed on chain`, async () => {
        const before = await chain.freeBalance(BOB);
        const result = await pay(addresses[kind]);
        assert.equal(result.error, undefined, JSON.stringify(result.error));
        assert.equal(result.status, 200);
        assert.equal(result.receipt.summary.payer, addresses[kind]);
        await waitUntil(async () => (await chain.freeBalance(BOB)) !== before);
        assert.equal(await chain.freeBalance(BOB), before + PRICE);
      });
    }

    test(`${engine}: a Ledger account is refused by the wallet on a runtime without CheckMetadataHash, in its words`, async () => {
      const result = await pay(addresses.ledger);
      assert.equal(result.error?.code, 'SIGNER_REJECTED', JSON.stringify(result));
      assert.equal(result.error.message, "the signer refused: This network doesn't support Ledger Polkadot Generic App.");
    });

    for (const kind of KINDS) {
      test(`${engine}: Talisman-style extension, ${kind} account: mode 1 with the runtime's digest, verified by polkadot-js`, async () => {
        const requirements = { scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '10000000000', resource: 'http://shop.test/paid',
          description: 'test', mimeType: 'application/json', payTo: BOB, maxTimeoutSeconds: 60, outputSchema: null, extra: null };
        const result = await talisman.evaluate((args) => window.createHeader(args), { rpcUrl: modeOne.url, address: addresses[kind], requirements });
        assert.equal(result.error, undefined, JSON.stringify(result.error));
        assert.equal(result.summary.payer, addresses[kind]);
        const verified = checkModeOne(result.payload);
        assert.equal(verified.isValid, true);
        assert.equal(verified.crypto, ACCOUNT_KINDS[kind].type);
      });
    }

    test(`${engine}: no wallet, or none with an account that can pay: distinct codes that say what to do`, async () => {
      const none = await page.evaluate(() => window.connectError({ injectedWeb3: {} }));
      assert.equal(none.code, 'WALLET_NOT_FOUND');
      assert.match(none.message, /install Polkadot\{\.js\}, Talisman or SubWallet/);
      const missing = await page.evaluate(() => window.connectError({ source: 'talisman' }));
      assert.equal(missing.code, 'WALLET_NOT_FOUND');
      assert.match(missing.message, /installed: fake-extension/);
      const notThere = await page.evaluate((address) => window.connectError({ address }), BOB);
      assert.equal(notThere.code, 'NO_USABLE_ACCOUNT');
      assert.match(notThere.message, /is not in fake-extension: it shares Alice /);
    });

    test(`${engine}: the README's browser example tells the user what to do: no wallet, no account that can pay`, async () => {
      const bare = await newPage(browser);
      await bare.goto(`${site.url}/readme/`);
      assert.equal(await waitForText(bare, 'body', (t) => t.length > 0, 30_000),
        'Install a Polkadot wallet (Polkadot{.js}, Talisman or SubWallet) to pay.');
      await bare.close();
      const evmOnly = await newPage(browser, { extension: { rpcUrl: chain.httpUrl, accounts: ['ethereum'] } });
      await evmOnly.goto(`${site.url}/readme/`);
      const text = await waitForText(evmOnly, 'body', (t) => t.length > 0, 30_000);
      assert.match(text, /^Your wallet has no account that can pay here: fake-extension offers no account that can pay on Vara \(Alice EVM .*\(ethereum\): ethereum accounts cannot sign Vara transactions\)/);
      await evmOnly.close();
    });

    test(`${engine}: after ready() the synchronous API works`, async () => {
      assert.equal(await page.evaluate(() => window.afterReady()), ALICE);
    });

    test(`${engine}: errors are instances of X402Error`, async () => {
      assert.deepEqual(await page.evaluate(() => window.errorClass()), { isInstance: true, isX402Error: true, code: 'INVALID_ADDRESS' });
    });

    if (engine === 'chromium') {
      test('chromium: 5 concurrent payments through the extension: 5 signed, nonces consecutive, all executed', async () => {
        const [before, nonceBefore] = [await chain.freeBalance(BOB), await chain.nonce(ALICE)];
        const signed = await page.evaluate(() => window.fakeExtension.signRequests);
        const result = await page.evaluate((args) => window.runConcurrent(args),
          { rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash, url: `${server.url}/paid`, count: 5 });
        assert.equal(result.error, undefined, JSON.stringify(result.error));
        assert.deepEqual(result.statuses, [200, 200, 200, 200, 200]);
        assert.deepEqual([...result.nonces].sort((a, b) => a - b), [0, 1, 2, 3, 4].map((i) => nonceBefore + i));
        assert.equal(await page.evaluate(() => window.fakeExtension.signRequests), signed + 5);
        assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) === before + 5n * PRICE, { timeoutMs: 60_000 }));
      });
    }

    test(`${engine}: when the extension refuses, the page gets SIGNER_REJECTED and nothing is paid`, async () => {
      const before = await chain.freeBalance(BOB);
      await page.evaluate(() => { window.fakeExtension.refuse = true; });
      const result = await pay();
      assert.equal(result.error?.code, 'SIGNER_REJECTED', JSON.stringify(result));
      assert.equal(result.error.message, 'the signer refused: Cancelled');
      assert.equal(await chain.freeBalance(BOB), before);
    });
  });
}
