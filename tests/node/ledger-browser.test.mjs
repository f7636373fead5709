// The ledger in real browsers (Chromium, Firefox): a payment made by a page is recorded in
// IndexedDB through `x402-vara-wasm/idb-store`, confirmed from the local chain, and read back
// by the page after a reload, the chain's verdict included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { launch, packageAliases } from '../support/browsers.mjs';
import { startLocalShop } from '../support/reference-server.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 10_000_000_000n;
let shop, site, bundle;

before(async () => {
  shop = await startLocalShop({ payTo: BOB, price: PRICE });
  const result = await build({
    entryPoints: [path.join(repoRoot, 'tests/browser/ledger-page.js')], bundle: true, format: 'esm', platform: 'browser',
    target: 'es2022', write: false, logLevel: 'error',
    alias: { ...packageAliases(), 'x402-vara-wasm/idb-store': path.join(repoRoot, 'dist/js/idb-store.js') },
  });
  bundle = result.outputFiles[0].text;
  site = http.createServer((req, res) => {
    if (req.url === '/page.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>');
  });
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
});
after(async () => {
  await new Promise((r) => site?.close(r));
  await shop?.stop();
});

for (const engine of ['chromium', 'firefox']) {
  test(`${engine}: a payment is recorded in IndexedDB, confirmed by the chain, and read back after a reload`, async () => {
    const browser = await launch(engine);
    try {
      const page = await browser.newPage();
      const rejections = [];
      page.on('pageerror', (e) => rejections.push(String(e)));
      const url = `http://127.0.0.1:${site.address().port}/`;
      await page.goto(url);
      await page.waitForFunction(() => typeof window.payAndRecord === 'function');
      const config = { rpcUrl: shop.chain.httpUrl, genesisHash: shop.chain.genesisHash, url: `${shop.server.url}/paid`, price: String(PRICE), db: `ledger-${engine}` };
      const paid = await page.evaluate((c) => window.payAndRecord(c), config);
      assert.equal(paid.status, 200);
      assert.equal(paid.verdict.status, 'executed');
      await page.reload();
      await page.waitForFunction(() => typeof window.reopen === 'function');
      const entries = await page.evaluate((c) => window.reopen(c), config);
      assert.equal(entries.length, 1);
      assert.equal(entries[0].id, paid.entries[0].id);
      assert.equal(entries[0].stage, 'executed');
      assert.deepEqual(entries[0].chain, paid.verdict);
      assert.deepEqual(rejections, []);
    } finally {
      await browser.close();
    }
  });
}
