// The Next.js example, built by scripts/build-example.sh and started with `next start`:
// its proxy (the reference x402-vara/next middleware) and its facilitator routes (the
// reference verify/settle) on the local Vara chain, paid by this package from Node, and
// clicked through in headless Chromium with the fake extension (the page gets the chain's
// URL and genesis from /api/config at run time: the same build serves testnet). The
// receipt arrives in the Next middleware's form: base64 JSON {settlement} in X-Payment-Response.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { startChain, freePort, waitUntil, VARA } from '../support/local-chain.mjs';
import { launch } from '../support/browsers.mjs';
import { clickThroughPayment } from '../support/example-page.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 10_000_000_000n;
const example = path.join(repoRoot, 'examples/nextjs');
let chain, next, url, browser, output = '';

before(async () => {
  if (!existsSync(path.join(example, '.next/BUILD_ID'))) throw new Error('the example is not built: run bash scripts/build-example.sh');
  chain = await startChain();
  await chain.fund(wasm.Keypair.fromSuri('//Alice').address, 1000n * VARA);
  await chain.fund(BOB, 100n * VARA);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  next = spawn(process.execPath, [path.join(repoRoot, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: example,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', X402_FACILITATOR_URL: `${url}/api/facilitator`, VARA_RPC_WS: chain.wsUrl,
      VARA_RPC_HTTP: chain.httpUrl, VARA_GENESIS_HASH: chain.genesisHash, X402_PAY_TO: BOB, X402_PRICE: String(PRICE) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  next.stdout.on('data', (d) => { output += d; });
  next.stderr.on('data', (d) => { output += d; });
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${url}/api/paid`)).status === 402) break; } catch {}
    if (i > 300 || next.exitCode !== null) throw new Error(`next start did not come up:\n${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  await browser?.close();
  next?.kill('SIGTERM');
  await chain?.stop();
});

test('the page is served', async () => {
  const html = await (await fetch(url)).text();
  assert.match(html, /x402 on Vara/);
});

test('the proxy answers 402 with the reference requirements', async () => {
  const r = await fetch(`${url}/api/paid`);
  assert.equal(r.status, 402);
  const { accepts } = await r.json();
  assert.equal(accepts[0].maxAmountRequired, String(PRICE));
  assert.equal(accepts[0].payTo, BOB);
});

test('paid from Node: 200, the Next-form receipt, payTo +price', async () => {
  const before = await chain.freeBalance(BOB);
  const pay = wasm.wrapFetchWithPayment(fetch, wasm.Keypair.fromSuri('//Alice'), {
    rpcUrls: { 'vara-testnet': chain.httpUrl }, genesisHashes: { 'vara-testnet': chain.genesisHash },
  });
  const response = await pay(`${url}/api/paid`);
  assert.equal(response.status, 200, `${await response.clone().text()}\n${output.slice(-1500)}`);
  assert.match((await response.json()).joke, /VARA/);
  const { settlement } = wasm.getPaymentReceipt(response);
  assert.equal(settlement.success, true);
  assert.equal(settlement.networkId, 'vara-testnet');
  assert.match(settlement.txHash, /^0x[0-9a-f]{64}$/);
  await waitUntil(async () => (await chain.freeBalance(BOB)) !== before);
  assert.equal(await chain.freeBalance(BOB), before + PRICE);
});

test('/api/config hands the page the chain settings at run time', async () => {
  assert.deepEqual(await (await fetch(`${url}/api/config`)).json(), { rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash });
});

test('clicked in Chromium: Connect → account → Fetch paid joke → confirm; the joke, the receipt, payTo +price', async () => {
  browser = await launch('chromium');
  const before = await chain.freeBalance(BOB);
  const page = await clickThroughPayment(browser, url, { rpcUrl: chain.httpUrl });
  assert.match(page.status, /^HTTP 200/, page.status);
  assert.match(page.result, /To earn some interest in the chain/);
  assert.match(page.paid, /^Paid 0\.01 VARA, transaction 0x[0-9a-f]{64}$/);
  assert.match(page.dialogs[0], /^Pay 0\.01 VARA to kGim5ByTuPok/);
  await waitUntil(async () => (await chain.freeBalance(BOB)) !== before);
  assert.equal(await chain.freeBalance(BOB), before + PRICE);
});

test('clicked in Chromium with the extension refusing: SIGNER_REJECTED on the page, nothing paid', async () => {
  browser ??= await launch('chromium');
  const before = await chain.freeBalance(BOB);
  const page = await clickThroughPayment(browser, url, { rpcUrl: chain.httpUrl, refuse: true });
  assert.match(page.status, /^SIGNER_REJECTED: .*Cancelled by the user/, page.status);
  assert.equal(page.paid, null);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await chain.freeBalance(BOB), before);
});
