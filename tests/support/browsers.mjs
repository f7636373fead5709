// Real headless browsers for page tests, driven by puppeteer-core: Debian's Chromium (CDP)
// and Firefox ESR (WebDriver BiDi). A missing browser is an error, never a skip. Also: the
// fake extension (tests/browser/fake-extension.js) as a script injected before each page's
// own scripts, and a static file server for built apps.
import http from 'node:http';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { repoRoot } from './wasm-pkg.mjs';

export const ENGINES = {
  chromium: {
    browser: 'chrome', executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  },
  firefox: { browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true, protocol: 'webDriverBiDi' },
};

/** Launches one engine by name (`chromium`, `firefox`). Its `close()` fails when a page had an unhandled rejection. */
export async function launch(engine) {
  const options = ENGINES[engine];
  if (!options) throw new Error(`unknown engine ${engine}`);
  if (!existsSync(options.executablePath)) throw new Error(`${options.executablePath} is missing (bash scripts/setup.sh installs it): ${engine} tests cannot run`);
  const browser = await puppeteer.launch(options);
  const close = browser.close.bind(browser);
  browser.close = async () => {
    const open = [...(PAGES.get(browser) ?? [])];
    await settleConsole();
    await close();
    failOnRejections(open);
  };
  return browser;
}

// Every page made by newPage reports each `unhandledrejection` event on its console, which
// survives navigations; its close() and its browser's close() fail when there was one.
const MARK = '[x402 unhandledrejection]';
const WATCH_REJECTIONS = `addEventListener('unhandledrejection', (e) => {
  const r = e.reason;
  console.error(${JSON.stringify(MARK)} + ' ' + (r instanceof Error ? r.name + ': ' + r.message : String(r)));
});`;
const PAGES = new WeakMap();
const settleConsole = () => new Promise((r) => setTimeout(r, 200));
function failOnRejections(pages) {
  const found = pages.flatMap((p) => p.unhandledRejections);
  if (found.length) throw new Error(`unhandled rejection in a page:\n${found.join('\n')}`);
}

/** The package's entries as a bundler resolves them for a browser (the wasm embedded in JS). */
export function packageAliases() {
  const dist = path.join(repoRoot, 'dist');
  return {
    'x402-vara-wasm/keypair': path.join(dist, 'browser/keypair.js'),
    'x402-vara-wasm/signers': path.join(dist, 'js/signers.js'),
    'x402-vara-wasm/axios': path.join(dist, 'js/axios.js'),
    'x402-vara-wasm/x402': path.join(dist, 'js/x402.js'),
    'x402-vara-wasm': path.join(dist, 'browser/index.js'),
  };
}

/** A test page (tests/browser/page.js by default) bundled with the package into `out`, with an index.html. */
export async function buildTestPage(out, entry = 'tests/browser/page.js') {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [path.join(repoRoot, entry)], bundle: true, format: 'esm', platform: 'browser',
    target: 'es2022', outfile: path.join(out, 'page.js'), logLevel: 'error', alias: packageAliases(),
  });
  writeFileSync(path.join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><title>x402</title><script type="module" src="/page.js"></script><body>loading</body>');
}

let fakeExtensionBundle;
/** The fake extension as a classic script that installs itself with `config` ({ rpcUrl, … }). */
export async function fakeExtensionScript(config) {
  if (!fakeExtensionBundle) {
    const result = await build({
      entryPoints: [path.join(repoRoot, 'tests/browser/fake-extension.js')], bundle: true, format: 'iife', globalName: 'FakeExtension',
      platform: 'browser', target: 'es2020', write: false, logLevel: 'error', define: { 'process.env.NODE_ENV': '"production"' },
    });
    fakeExtensionBundle = result.outputFiles[0].text;
  }
  return `${fakeExtensionBundle}\nFakeExtension.installFakeExtension(${JSON.stringify(config)});`;
}

/**
 * A new page with the fake extension installed before any of its scripts (when `extension`
 * is given), page errors printed and kept (`page.errors`), unhandled rejections kept
 * (`page.unhandledRejections`: closing the page or the browser then fails), and dialogs kept
 * (`page.dialogs`), confirm() answered with `confirm` (default yes).
 */
export async function newPage(browser, { extension, confirm = true } = {}) {
  const page = await browser.newPage();
  const unhandledRejections = [];
  page.on('console', (m) => { if (m.text().startsWith(MARK)) unhandledRejections.push(m.text().slice(MARK.length + 1)); });
  await page.evaluateOnNewDocument(WATCH_REJECTIONS);
  if (!PAGES.has(browser)) PAGES.set(browser, new Set());
  PAGES.get(browser).add(page);
  const closePage = page.close.bind(page);
  page.close = async (...args) => {
    await settleConsole();
    PAGES.get(browser).delete(page);
    await closePage(...args);
    failOnRejections([page]);
  };
  const errors = [];
  page.on('pageerror', (e) => { errors.push(e.message); console.error('page error:', e.message); });
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); return d.type() === 'confirm' && !confirm ? d.dismiss() : d.accept(); });
  if (extension) await page.evaluateOnNewDocument(await fakeExtensionScript(extension));
  Object.assign(page, { errors, dialogs, unhandledRejections });
  return page;
}

/** The text of the first element matching `selector` once it satisfies `predicate`. */
export async function waitForText(page, selector, predicate, timeout = 60_000) {
  const end = Date.now() + timeout;
  let text;
  while (Date.now() < end) {
    text = await page.$eval(selector, (e) => e.textContent).catch(() => undefined);
    if (text !== undefined && predicate(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${selector}; last text: ${text}`);
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Serves `dir` on 127.0.0.1 (index.html for `/`); `files` maps paths to contents served instead. */
export async function serveStatic(dir, files = {}) {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    if (pathname in files) return res.writeHead(200, { 'content-type': TYPES[path.extname(pathname)] }).end(files[pathname]);
    const rel = path.normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = path.join(dir, rel);
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  // Browsers keep connections alive: close them, or close() waits for their timeout.
  const close = () => new Promise((r) => { server.close(r); server.closeAllConnections(); });
  return { url: `http://127.0.0.1:${server.address().port}`, close };
}
