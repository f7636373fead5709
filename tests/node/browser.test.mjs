// In real headless Chromium and Firefox (Debian's, driven by puppeteer-core over CDP and
// WebDriver BiDi): a page with a fake Polkadot extension pays the reference server on the
// local Vara chain through this package's browser entry; and the same page when the
// extension refuses. Same assertions in each engine.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { waitUntil } from '../support/local-chain.mjs';
import { startLocalShop } from '../support/reference-server.mjs';
import { buildTestPage, launch, newPage, serveStatic } from '../support/browsers.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const ALICE = 'kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW';
const PRICE = 40_000_000_000n;
const out = path.join(repoRoot, '.cache/browser-test');
let shop, chain, server, site;

before(async () => {
  // The packaged entries, as a bundler resolves them: one JS file, the wasm embedded in it.
  await buildTestPage(out);
  shop = await startLocalShop({ payTo: BOB, price: PRICE });
  ({ chain, server } = shop);
  site = await serveStatic(out);
});

after(async () => {
  await site?.close();
  await shop?.stop();
});

for (const engine of ['chromium', 'firefox']) {
  describe(engine, () => {
    let browser, page;
    const pay = () => page.evaluate((args) => window.runPayment(args), { rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash, url: `${server.url}/paid` });

    before(async () => {
      browser = await launch(engine);
      page = await newPage(browser, { extension: { rpcUrl: chain.httpUrl } });
      await page.goto(site.url);
      await page.waitForFunction(() => window.pageReady === true, { timeout: 30_000 });
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
      assert.match(result.error.message, /Cancelled by the user/);
      assert.equal(await chain.freeBalance(BOB), before);
    });
  });
}
