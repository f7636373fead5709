// The same small app (tests/browser/page.js) built from the PACKED package with Vite (default
// config, build and dev server), webpack 5 (defaults: src/index.js → dist/main.js), Rollup
// (node-resolve only) and esbuild (bundle), each with no setting for wasm, top-level await
// or assets; then served and paid in headless Chromium with the fake extension against the
// reference server on the local chain. Prints each bundler's output size (gzip -9, all files),
// and what the browser fetched before the first payment and on it. Each wasm ships once, in a
// JS module (base64 of its gzip) the browser entry imports dynamically: Vite, webpack and
// Rollup emit it as its own chunk, fetched when the page first pays; esbuild without
// `splitting` puts it in the one file it emits. No build emits a .wasm file or a second copy.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { installPackedPackage } from '../support/scratch-install.mjs';
import { waitUntil } from '../support/local-chain.mjs';
import { startLocalShop } from '../support/reference-server.mjs';
import { launch, newPage, serveStatic } from '../support/browsers.mjs';
import { recordFetches, carriesWasm, emittedWasm } from '../support/fetched.mjs';
import { allFiles, outputSize } from '../support/output-size.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const ALICE = 'kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW';
const PRICE = 20_000_000_000n;
const html = (script) => `<!doctype html><meta charset="utf-8"><title>x402</title>${script}<body>loading</body>`;
let scratch, shop, chain, server, browser;
const sizes = {};
const fetched = {};
// How each build delivers the wasm: as the JS chunk holding it, fetched on first use (`chunk`),
// or inside the JS loaded up front (`up front`: esbuild without `splitting`).
const EXPECTED = { vite: 'chunk', webpack: 'chunk', rollup: 'chunk', esbuild: 'up front', 'vite-dev': 'chunk' };
// The app imports both modules (payments and the key): each is emitted once.
const MODULES = 2;

// Each builds the app in its own folder of the scratch project and returns the folder to serve.
const bundlers = {
  async vite(app) {
    writeFileSync(path.join(app, 'index.html'), html('<script type="module" src="/main.js"></script>'));
    copyFileSync(path.join(repoRoot, 'tests/browser/page.js'), path.join(app, 'main.js'));
    const { build } = await import('vite');
    await build({ root: app, configFile: false, logLevel: 'error' });
    return path.join(app, 'dist');
  },
  async webpack(app) {
    mkdirSync(path.join(app, 'src'));
    copyFileSync(path.join(repoRoot, 'tests/browser/page.js'), path.join(app, 'src/index.js'));
    // No configuration at all, as `npx webpack` in the app folder: ./src/index.js → ./dist/main.js.
    const script = `require(${JSON.stringify(path.join(repoRoot, 'node_modules/webpack'))})({ mode: 'production' }, (e, s) => {
      if (e || s.hasErrors()) { console.error(e ?? s.toString('errors-only')); process.exit(1); } })`;
    execFileSync(process.execPath, ['-e', script], { cwd: app, stdio: 'inherit' });
    const out = path.join(app, 'dist');
    writeFileSync(path.join(out, 'index.html'), html('<script src="/main.js"></script>'));
    return out;
  },
  async rollup(app) {
    copyFileSync(path.join(repoRoot, 'tests/browser/page.js'), path.join(app, 'main.js'));
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const bundle = await rollup({ input: path.join(app, 'main.js'), plugins: [nodeResolve()], onwarn: (w) => { throw new Error(w.message); } });
    const out = path.join(app, 'dist');
    await bundle.write({ dir: out, format: 'es' });
    writeFileSync(path.join(out, 'index.html'), html('<script type="module" src="/main.js"></script>'));
    return out;
  },
  async esbuild(app) {
    copyFileSync(path.join(repoRoot, 'tests/browser/page.js'), path.join(app, 'main.js'));
    const { build } = await import('esbuild');
    const out = path.join(app, 'dist');
    await build({ entryPoints: [path.join(app, 'main.js')], bundle: true, minify: true, format: 'esm', outdir: out, logLevel: 'error' });
    writeFileSync(path.join(out, 'index.html'), html('<script type="module" src="/main.js"></script>'));
    return out;
  },
};

const trace = (...a) => { if (process.env.X402_TRACE) console.error('[bundlers]', new Date().toISOString().slice(11, 23), ...a); };

/** How the wasm came: in the files fetched before paying, or with the payment as a file or a chunk. */
function delivery(upFront, onPay) {
  if (upFront.files.some((f) => f.wasm)) return 'up front';
  const wasm = onPay.files.find((f) => f.wasm);
  if (!wasm) return 'not fetched';
  return new URL(wasm.url).pathname.endsWith('.wasm') ? 'file' : 'chunk';
}

async function payThroughPage(url, name) {
  trace('open', url);
  const page = await newPage(browser, { extension: { rpcUrl: chain.httpUrl } });
  const fetches = recordFetches(page, new URL(url).origin);
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.pageReady === true, { timeout: 60_000 });
    const upFront = await fetches.take();
    const beforeReady = await page.evaluate(() => window.beforeReady);
    const before = await chain.freeBalance(BOB);
    trace('paying');
    const result = await page.evaluate((args) => window.runPayment(args), { rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash, url: `${server.url}/paid` });
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, { ok: true, joke: 'a VARA walks into a bar' });
    assert.equal(result.receipt.summary.payer, ALICE);
    assert.match(result.receipt.settlement.txHash, /^0x[0-9a-f]{64}$/);
    assert.equal(beforeReady.error?.code, 'NOT_READY');
    trace('paid; waiting for the balance');
    assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) === before + PRICE), 'the seller was not paid');
    assert.deepEqual(page.errors, []);
    trace('balance ok');
    const onPay = await fetches.take();
    fetched[name] = { upFront, onPay, delivery: delivery(upFront, onPay) };
    // The wasm is fetched once, on the first payment (or, for esbuild, with the page).
    assert.equal(fetched[name].delivery, EXPECTED[name], JSON.stringify(fetched[name]));
    assert.equal([...upFront.files, ...onPay.files].filter((f) => f.wasm).length, 1);
    // Paying again fetches nothing more of the package: the module stays loaded.
    const again = await page.evaluate((args) => window.runPayment(args), { rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash, url: `${server.url}/paid` });
    assert.equal(again.status, 200, JSON.stringify(again));
    assert.deepEqual((await fetches.take()).files.filter((f) => f.wasm), []);
  } finally {
    await page.close();
    trace('page closed');
  }
}

before(async () => {
  ({ dir: scratch } = installPackedPackage('x402-bundlers-'));
  shop = await startLocalShop({ payTo: BOB, price: PRICE });
  ({ chain, server } = shop);
  browser = await launch('chromium');
});

after(async () => {
  await browser?.close();
  await shop?.stop();
  if (Object.keys(sizes).length) {
    console.log('\noutput of the same app (tests/browser/page.js), all files:');
    for (const [name, s] of Object.entries(sizes)) console.log(`  ${name.padEnd(8)} ${String(s.files).padStart(2)} files ${String(s.raw).padStart(9)} B raw ${String(s.gzip).padStart(8)} B gzip -9`);
  }
  if (Object.keys(fetched).length) {
    console.log('\nfetched by Chromium (gzip -9 each): before the first payment, and on it');
    for (const [name, f] of Object.entries(fetched)) {
      console.log(`  ${name.padEnd(8)} up front ${String(f.upFront.files.length).padStart(2)} files ${String(f.upFront.gzip).padStart(8)} B` +
        `   on paying ${String(f.onPay.files.length).padStart(2)} files ${String(f.onPay.gzip).padStart(8)} B   the wasm: ${f.delivery}`);
    }
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

for (const [name, buildApp] of Object.entries(bundlers)) {
  describe(name, () => {
    test(`${name} builds the app from the packed package unconfigured, and the page pays`, async () => {
      const app = path.join(scratch, name);
      mkdirSync(app);
      const t0 = Date.now();
      trace('building with', name);
      const out = await buildApp(app);
      trace('built');
      sizes[name] = { ...outputSize(out), buildMs: Date.now() - t0 };
      // One copy of each wasm, in JS: no .wasm file, no fallback copy beside it.
      const copies = emittedWasm(out);
      assert.equal(copies.length, MODULES, copies.join('\n'));
      assert.deepEqual(copies.filter((f) => !f.endsWith('.js')), [], 'only JS carries the wasm');
      if (EXPECTED[name] === 'chunk') assert.equal(new Set(copies).size, MODULES, 'each wasm in its own chunk');
      const site = await serveStatic(out);
      try {
        await payThroughPage(site.url, name);
      } finally {
        await site.close();
      }
    });
  });
}

test('preload(): the wasm is fetched before any payment, once; ready() waits for that same load', async () => {
  const app = path.join(scratch, 'vite');
  const site = await serveStatic(path.join(app, 'dist'));
  const page = await newPage(browser);
  const fetches = recordFetches(page, site.url);
  try {
    await page.goto(site.url);
    await page.waitForFunction(() => window.pageReady === true, { timeout: 60_000 });
    assert.deepEqual((await fetches.take()).files.filter((f) => f.wasm), []);
    const result = await page.evaluate(() => window.preloadThenReady().catch((e) => ({ error: e.code ?? e.message })));
    assert.equal(result.returned, true, JSON.stringify(result));
    assert.notEqual(result.code, 'NOT_READY', 'a synchronous function works once ready() resolved');
    // One chunk: the payments module's (the key's module is imported only by keyReady()).
    const wasmFiles = (await fetches.take()).files.filter((f) => f.wasm);
    assert.equal(wasmFiles.length, 1, JSON.stringify(wasmFiles));
    assert.match(new URL(wasmFiles[0].url).pathname, /^\/assets\/x402_vara_wasm\.gz-[\w-]+\.js$/);
  } finally {
    await page.close();
    await site.close();
  }
});

test('the wasm unreachable (its chunk gone): ready() rejects with a typed NETWORK_ERROR; back, the next call loads it', async () => {
  const broken = path.join(scratch, 'vite-broken');
  cpSync(path.join(scratch, 'vite/dist'), broken, { recursive: true });
  const chunks = allFiles(broken).filter((file) => carriesWasm(readFileSync(file)));
  const saved = chunks.map((file) => [file, readFileSync(file)]);
  for (const file of chunks) rmSync(file);
  const site = await serveStatic(broken);
  const page = await newPage(browser);
  try {
    await page.goto(site.url);
    await page.waitForFunction(() => window.pageReady === true, { timeout: 60_000 });
    const error = await page.evaluate(() => window.preloadThenReady().then(() => null, (e) => ({ name: e.name, code: e.code, message: e.message })));
    assert.equal(error?.code, 'NETWORK_ERROR', JSON.stringify(error));
    assert.equal(error.name, 'X402Error');
    assert.match(error.message, /^the wasm could not be loaded from its JS chunk \(.*\/assets\/x402_vara_wasm\.gz-[\w-]+\.js/);
    // A failed load is not kept: once the chunk is served again, the same page loads it.
    for (const [file, body] of saved) writeFileSync(file, body);
    const retried = await page.evaluate(() => window.preloadThenReady().catch((e) => ({ error: e.code ?? e.message })));
    assert.equal(retried.returned, true, JSON.stringify(retried));
    assert.notEqual(retried.code, 'NOT_READY');
  } finally {
    await page.close();
    await site.close();
  }
});

test('vite dev server (default config) serves the app and the page pays', async () => {
  const app = path.join(scratch, 'vite-dev');
  mkdirSync(app);
  writeFileSync(path.join(app, 'index.html'), html('<script type="module" src="/main.js"></script>'));
  copyFileSync(path.join(repoRoot, 'tests/browser/page.js'), path.join(app, 'main.js'));
  const { createServer } = await import('vite');
  const dev = await createServer({ root: app, configFile: false, logLevel: 'error', server: { host: '127.0.0.1', port: 0 } });
  await dev.listen();
  try {
    await payThroughPage(dev.resolvedUrls.local[0], 'vite-dev');
  } finally {
    await dev.close();
  }
});
