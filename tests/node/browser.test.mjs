// In real headless Chromium (Debian's, driven by playwright-core): a page with a fake
// Polkadot extension pays the reference server on the local Vara chain through this
// package's web build; and the same page when the extension refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { startChain, waitUntil, VARA } from '../support/local-chain.mjs';
import { startReferenceServer } from '../support/reference-server.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const ALICE = 'kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW';
const PRICE = 40_000_000_000n;
const out = path.join(repoRoot, '.cache/browser-test');
let chain, server, site, browser, page;

async function buildPage() {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [path.join(repoRoot, 'tests/browser/page.js')], bundle: true, format: 'esm', platform: 'browser',
    target: 'es2022', outfile: path.join(out, 'page.js'), logLevel: 'error',
    alias: { 'x402-vara-wasm/signers': path.join(repoRoot, 'dist/js/signers.js'), 'x402-vara-wasm': path.join(repoRoot, 'dist/web/index.js') },
  });
  // The glue finds the .wasm next to the module that imports it (import.meta.url).
  copyFileSync(path.join(repoRoot, 'dist/web/x402_vara_wasm_bg.wasm'), path.join(out, 'x402_vara_wasm_bg.wasm'));
  writeFileSync(path.join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><title>x402</title><script type="module" src="/page.js"></script><body>loading</body>');
}

async function serveStatic() {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const srv = http.createServer((req, res) => {
    const file = path.join(out, req.url === '/' ? 'index.html' : path.normalize(req.url).replace(/^\/+/, ''));
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${srv.address().port}`, close: () => new Promise((r) => srv.close(r)) };
}

before(async () => {
  await buildPage();
  chain = await startChain();
  await chain.fund(ALICE, 1000n * VARA);
  await chain.fund(BOB, 100n * VARA);
  server = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: BOB, price: String(PRICE) });
  site = await serveStatic();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(site.url);
  await page.waitForFunction(() => window.pageReady === true, null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await server?.stop();
  await chain?.stop();
});

test('the page pays through the extension and shows the resource', async () => {
  const before = await chain.freeBalance(BOB);
  const result = await page.evaluate((args) => window.runPayment(args), { rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash, url: `${server.url}/paid` });
  assert.equal(result.error, undefined, JSON.stringify(result.error));
  assert.equal(result.status, 200);
  assert.deepEqual(result.body, { ok: true, joke: 'a VARA walks into a bar' });
  assert.match(result.receipt.settlement.txHash, /^0x[0-9a-f]{64}$/); // readable: the server exposes the header
  assert.equal(result.receipt.summary.payer, ALICE);
  assert.match(await page.textContent('body'), /a VARA walks into a bar/);
  await waitUntil(async () => (await chain.freeBalance(BOB)) !== before);
  assert.equal(await chain.freeBalance(BOB), before + PRICE);
});

test('when the extension refuses, the page gets SIGNER_REJECTED and nothing is paid', async () => {
  const before = await chain.freeBalance(BOB);
  await page.evaluate(() => { window.refuse = true; });
  const result = await page.evaluate((args) => window.runPayment(args), { rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash, url: `${server.url}/paid` });
  assert.equal(result.error?.code, 'SIGNER_REJECTED', JSON.stringify(result));
  assert.match(result.error.message, /Cancelled by the user/);
  assert.equal(await chain.freeBalance(BOB), before);
});
