// One x402 version 2 payment in real headless Chromium: the browser test page
// (tests/browser/page.js, its fake extension and window.runPayment) pays the @x402/express
// seller of x402-v2.test.mjs on the local Vara chain, through this package's browser entry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { startChain, waitUntil, VARA } from '../support/local-chain.mjs';
import { startV2Server } from '../support/x402-v2-server.mjs';
import { buildTestPage, launch, newPage, serveStatic } from '../support/browsers.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const ALICE = 'kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW';
const PRICE = 40_000_000_000n;
const out = path.join(repoRoot, '.cache/browser-v2-test');
let chain, server, site, browser, page;

before(async () => {
  await buildTestPage(out);
  site = await serveStatic(out);
  chain = await startChain();
  await chain.fund(ALICE, 1000n * VARA);
  await chain.fund(BOB, 100n * VARA);
  server = await startV2Server({ api: await chain.api(), genesisHash: chain.genesisHash, payTo: BOB, price: PRICE });
  browser = await launch('chromium');
  page = await newPage(browser, { extension: { rpcUrl: chain.httpUrl } });
  await page.goto(site.url);
  await page.waitForFunction(() => window.pageReady === true, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await site?.close();
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
