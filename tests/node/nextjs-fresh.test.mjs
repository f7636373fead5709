// A fresh Next.js 16 app with NO next.config, the package installed from its packed tarball,
// built by Turbopack (`next build`, the default) and by webpack (`next build --webpack`), and
// paying the reference x402-vara server on the local chain three ways: a route handler and a
// server action (Node, the in-wasm key), and a client component (Chromium, the fake extension).
// The page imports the package up front; the test records what the browser fetches before the
// first payment (the JS glue: no wasm in any form) and on it (the wasm, its own JS chunk, the
// one copy the build emits), and prints the bytes. A second page without the package gives the
// package's own share.
//
// The scratch app lives in .cache/ of the repository: Next.js and React resolve from the
// repository's node_modules, as a monorepo's would (the scratch leaves no lockfile, so the
// workspace root Turbopack looks for is the repository's).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { installPackedPackage } from '../support/scratch-install.mjs';
import { startLocalShop } from '../support/reference-server.mjs';
import { waitUntil, VARA } from '../support/local-chain.mjs';
import { startNext } from '../support/next-server.mjs';
import { launch, newPage } from '../support/browsers.mjs';
import { recordFetches, emittedWasm } from '../support/fetched.mjs';
import { outputSize } from '../support/output-size.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 15_000_000_000n;
// The server pays as Charlie, the page (the fake extension) as Alice: one account per realm.
const SERVER_PAYER = '//Charlie';

// What pays upstream on the server, shared by the route handler and the server action.
const payUpstream = `import { wrapFetchWithPayment, getPaymentReceipt } from 'x402-vara-wasm';
import { Keypair } from 'x402-vara-wasm/keypair';

export async function payUpstream() {
  const { SHOP_URL, PAYER_SURI, VARA_RPC, VARA_GENESIS } = process.env;
  const pay = wrapFetchWithPayment(fetch, Keypair.fromSuri(PAYER_SURI), {
    rpcUrls: { 'vara-testnet': VARA_RPC }, genesisHashes: { 'vara-testnet': VARA_GENESIS },
  });
  try {
    const response = await pay(SHOP_URL);
    return { status: response.status, body: await response.json(), txHash: getPaymentReceipt(response)?.settlement?.txHash };
  } catch (e) {
    return { error: e.code + ': ' + e.message };
  }
}
`;

const files = {
  'app/layout.js': 'export default function Layout({ children }) { return <html lang="en"><body>{children}</body></html>; }\n',
  'app/pay-upstream.js': payUpstream,
  'app/api/pay/route.js': `import { payUpstream } from '../../pay-upstream.js';
export const dynamic = 'force-dynamic';
export async function GET() { return Response.json(await payUpstream()); }
`,
  'app/api/config/route.js': `export const dynamic = 'force-dynamic';
export function GET() { return Response.json({ shop: process.env.SHOP_URL, rpc: process.env.VARA_RPC, genesis: process.env.VARA_GENESIS }); }
`,
  'app/actions.js': `'use server';
import { payUpstream } from './pay-upstream.js';
export async function payOnServer() { return payUpstream(); }
`,
  // Imports the package statically, as most apps would.
  'app/page.js': `'use client';
import { useEffect, useState } from 'react';
import { wrapFetchWithPayment, getPaymentReceipt } from 'x402-vara-wasm';
import { connectExtension } from 'x402-vara-wasm/signers';
import { payOnServer } from './actions.js';

export default function Page() {
  const [out, setOut] = useState('');
  useEffect(() => { window.hydrated = true; }, []);
  async function inBrowser() {
    try {
      const { shop, rpc, genesis } = await (await fetch('/api/config')).json();
      const { signer } = await connectExtension({ appName: 'fresh app' });
      const pay = wrapFetchWithPayment(fetch, signer, { rpcUrls: { 'vara-testnet': rpc }, genesisHashes: { 'vara-testnet': genesis } });
      const response = await pay(shop);
      setOut(JSON.stringify({ status: response.status, body: await response.json(), txHash: getPaymentReceipt(response)?.settlement?.txHash }));
    } catch (e) {
      setOut(JSON.stringify({ error: e.code + ': ' + e.message }));
    }
  }
  return (
    <main>
      <button id="browser" onClick={inBrowser}>Pay in the browser</button>
      <button id="server" onClick={async () => setOut(JSON.stringify(await payOnServer()))}>Pay on the server</button>
      <pre id="out">{out}</pre>
    </main>
  );
}
`,
  // The same page without the package: what Next.js and React cost alone.
  'app/plain/page.js': `'use client';
import { useEffect, useState } from 'react';

export default function Plain() {
  const [out, setOut] = useState('');
  useEffect(() => { window.hydrated = true; }, []);
  return <main><button id="browser" onClick={() => setOut('clicked')}>Click</button><pre id="out">{out}</pre></main>;
}
`,
};

const BUILDS = { turbopack: [], webpack: ['--webpack'] };
let scratch, shop, chain, browser;
const figures = {};

before(async () => {
  ({ dir: scratch } = installPackedPackage('fresh-', { parent: path.join(repoRoot, '.cache/nextjs-fresh'), lockfile: false }));
  shop = await startLocalShop({ payTo: BOB, price: PRICE });
  ({ chain } = shop);
  await chain.fund(wasm.Keypair.fromSuri(SERVER_PAYER).address, 1000n * VARA);
  browser = await launch('chromium');
});

after(async () => {
  await browser?.close();
  await shop?.stop();
  if (Object.keys(figures).length) {
    console.log('\nfresh Next.js 16 app, fetched by Chromium (gzip -9 each):');
    for (const [name, f] of Object.entries(figures)) {
      console.log(`  ${name.padEnd(9)} page up front ${f.page} B (${f.files} files), same page without the package ${f.plain} B: ` +
        `the package adds ${f.page - f.plain} B up front; the first payment fetches the wasm, ${f.wasm} B; ` +
        `.next/static ${f.static.gzip} B (${f.static.files} files)`);
    }
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The seller's balance rose by the price: the payment executed on chain. */
async function paidOnChain(before) {
  assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) === before + PRICE), 'the seller was not paid');
}

/** The page at `path`, hydrated, and the files fetched for it. */
async function openPage(base, pathname) {
  const page = await newPage(browser, { extension: { rpcUrl: chain.httpUrl } });
  const fetches = recordFetches(page, base);
  await page.goto(`${base}${pathname}`, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => window.hydrated === true, { timeout: 30_000 });
  return { page, fetches, upFront: await fetches.take() };
}

async function click(page, id) {
  const before = await page.$eval('#out', (e) => e.textContent);
  await page.click(`#${id}`);
  await page.waitForFunction((b) => document.getElementById('out').textContent !== b, { timeout: 90_000 }, before);
  return JSON.parse(await page.$eval('#out', (e) => e.textContent));
}

for (const [name, flags] of Object.entries(BUILDS)) {
  describe(`built by ${name}`, () => {
    let app, server;
    before(() => {
      app = path.join(scratch, name);
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
        writeFileSync(path.join(app, file), text);
      }
      execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/next/dist/bin/next'), 'build', ...flags], {
        cwd: app, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'inherit'],
      });
    });
    after(() => server?.stop());

    test(`${name}: next start; a route handler pays upstream with the in-wasm key`, async () => {
      server = await startNext(app, {
        env: { SHOP_URL: `${shop.server.url}/paid`, PAYER_SURI: SERVER_PAYER, VARA_RPC: chain.httpUrl, VARA_GENESIS: chain.genesisHash },
      });
      const before = await chain.freeBalance(BOB);
      const paid = await (await fetch(`${server.url}/api/pay`)).json();
      assert.equal(paid.status, 200, `${JSON.stringify(paid)}\n${server.output().slice(-1500)}`);
      assert.deepEqual(paid.body, { ok: true, joke: 'a VARA walks into a bar' });
      assert.match(paid.txHash, /^0x[0-9a-f]{64}$/);
      await paidOnChain(before);
    });

    test(`${name}: the page ships no wasm up front; paying in Chromium fetches it as its own chunk, the one copy emitted`, async () => {
      // What the browser may fetch: the payments wasm once (the pages do not import the key).
      const copies = emittedWasm(path.join(app, '.next/static'));
      assert.equal(copies.length, 1, copies.join('\n'));
      const plain = await openPage(server.url, '/plain');
      await plain.page.close();
      const { page, fetches, upFront } = await openPage(server.url, '/');
      try {
        assert.deepEqual(upFront.files.filter((f) => f.wasm).map((f) => f.url), [], 'the wasm was fetched before any payment');
        const before = await chain.freeBalance(BOB);
        const paid = await click(page, 'browser');
        assert.equal(paid.status, 200, JSON.stringify(paid));
        assert.match(paid.txHash, /^0x[0-9a-f]{64}$/);
        await paidOnChain(before);
        const onPay = await fetches.take();
        const wasmFiles = onPay.files.filter((f) => f.wasm);
        assert.equal(wasmFiles.length, 1, JSON.stringify(onPay.files.map((f) => f.url)));
        assert.match(new URL(wasmFiles[0].url).pathname, /^\/_next\/static\/.+\.js$/, 'the wasm came as a JS chunk');
        assert.equal(path.basename(decodeURIComponent(new URL(wasmFiles[0].url).pathname)), path.basename(copies[0]));
        assert.deepEqual(page.errors, []);
        figures[name] = { page: upFront.gzip, files: upFront.files.length, plain: plain.upFront.gzip, wasm: wasmFiles[0].gzip, static: outputSize(path.join(app, '.next/static')) };
      } finally {
        await page.close();
      }
    });

    test(`${name}: a server action pays upstream`, async () => {
      const { page } = await openPage(server.url, '/');
      try {
        const before = await chain.freeBalance(BOB);
        const paid = await click(page, 'server');
        assert.equal(paid.status, 200, `${JSON.stringify(paid)}\n${server.output().slice(-1500)}`);
        assert.match(paid.txHash, /^0x[0-9a-f]{64}$/);
        await paidOnChain(before);
      } finally {
        await page.close();
      }
    });
  });
}
