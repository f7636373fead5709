// One x402 version 2 payment in real headless Chromium: the browser test page
// (tests/browser/page.js, its fake extension and window.runPayment, unchanged) pays the
// @x402/express seller of x402-v2.test.mjs on the local Vara chain. Needs the lead's v2 core.
// Kept small on purpose: the page setup below is browser.test.mjs's, to be replaced by the
// shared browser helper when the branches meet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, readFileSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { startChain, waitUntil, VARA } from '../support/local-chain.mjs';
import { startV2Server } from '../support/x402-v2-server.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const ALICE = 'kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW';
const PRICE = 40_000_000_000n;
const out = path.join(repoRoot, '.cache/browser-v2-test');
let chain, server, site, browser, page;

before(async () => {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [path.join(repoRoot, 'tests/browser/page.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    outfile: path.join(out, 'page.js'), logLevel: 'error',
    alias: { 'x402-vara-wasm/signers': path.join(repoRoot, 'dist/js/signers.js'), 'x402-vara-wasm': path.join(repoRoot, 'dist/web/index.js') },
  });
  copyFileSync(path.join(repoRoot, 'dist/web/x402_vara_wasm_bg.wasm'), path.join(out, 'x402_vara_wasm_bg.wasm'));
  writeFileSync(path.join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script><body>loading</body>');
  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
  site = http.createServer((req, res) => {
    const file = path.join(out, req.url === '/' ? 'index.html' : path.basename(req.url));
    if (!existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'text/html' }).end(readFileSync(file));
  });
  await new Promise((r) => site.listen(0, '127.0.0.1', r));

  chain = await startChain();
  await chain.fund(ALICE, 1000n * VARA);
  await chain.fund(BOB, 100n * VARA);
  server = await startV2Server({ api: await chain.api(), genesisHash: chain.genesisHash, payTo: BOB, price: PRICE });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`http://127.0.0.1:${site.address().port}/`);
  await page.waitForFunction(() => window.pageReady === true, null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (site ? site.close(r) : r()));
  await server?.stop();
  await chain?.stop();
});

test('the page pays a v2 seller through the extension: PAYMENT-SIGNATURE, receipt, Bob +price', async () => {
  const before = await chain.freeBalance(BOB);
  const result = await page.evaluate((args) => window.runPayment(args), { rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash, url: `${server.url}/paid` });
  assert.equal(result.error, undefined, JSON.stringify(result.error));
  assert.equal(result.status, 200);
  assert.deepEqual(result.body, { ok: true, joke: 'a VARA walks into a bar' });
  // Readable from script because the seller lists PAYMENT-RESPONSE in Access-Control-Expose-Headers.
  assert.equal(result.receipt.settlement.success, true);
  assert.equal(result.receipt.summary.payer, ALICE);
  assert.equal(server.served.at(-1).x402Version, 2);
  assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) !== before));
  assert.equal(await chain.freeBalance(BOB), before + PRICE);
});
