// The Vite example (examples/vite, vanilla, default config), built by scripts/build-example.sh,
// served as static files with a config.json pointing at the reference x402-vara server on the
// local chain, and clicked through in headless Chromium and Firefox with the fake extension:
// it pays and shows the joke and the receipt, or shows SIGNER_REJECTED when the extension
// refuses; the seller's balance is checked on chain.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { waitUntil } from '../support/local-chain.mjs';
import { startLocalShop } from '../support/reference-server.mjs';
import { launch, serveStatic } from '../support/browsers.mjs';
import { clickThroughPayment } from '../support/example-page.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 25_000_000_000n;
const built = path.join(repoRoot, 'examples/vite/dist');
let shop, chain, server, site;

before(async () => {
  if (!existsSync(path.join(built, 'index.html'))) throw new Error('the Vite example is not built: run bash scripts/build-example.sh');
  shop = await startLocalShop({ payTo: BOB, price: PRICE });
  ({ chain, server } = shop);
  const config = { resourceUrl: `${server.url}/paid`, rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash };
  site = await serveStatic(built, { '/config.json': JSON.stringify(config) });
});

after(async () => {
  await site?.close();
  await shop?.stop();
});

for (const engine of ['chromium', 'firefox']) {
  describe(engine, () => {
    let browser;
    before(async () => { browser = await launch(engine); });
    after(async () => { await browser?.close(); });

    test(`${engine}: Connect → account → Fetch paid joke → confirm; the joke, the receipt, payTo +price`, async () => {
      const before = await chain.freeBalance(BOB);
      const page = await clickThroughPayment(browser, site.url, { rpcUrl: chain.httpUrl });
      assert.equal(page.status, 'HTTP 200');
      assert.match(page.result, /a VARA walks into a bar/);
      assert.match(page.paid, /^Paid 0\.025 VARA, transaction 0x[0-9a-f]{64}$/);
      assert.match(page.dialogs[0], new RegExp(`^Pay 0\\.025 VARA to ${BOB}\\?$`));
      assert.deepEqual(page.errors, []);
      await waitUntil(async () => (await chain.freeBalance(BOB)) !== before);
      assert.equal(await chain.freeBalance(BOB), before + PRICE);
    });

    test(`${engine}: with the extension refusing, SIGNER_REJECTED on the page and nothing paid`, async () => {
      const before = await chain.freeBalance(BOB);
      const page = await clickThroughPayment(browser, site.url, { rpcUrl: chain.httpUrl, refuse: true });
      assert.match(page.status, /^SIGNER_REJECTED: the signer refused: Cancelled$/);
      assert.equal(page.paid, '');
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await chain.freeBalance(BOB), before);
    });
  });
}
