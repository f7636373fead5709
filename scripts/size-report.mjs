// `npm run size`: what a user ships. The packed package (dist/ through `npm pack`) is installed
// into a scratch project and three small browser apps are built with Vite's production build
// (default config): paying through an extension (the default entry), paying with the in-wasm
// key (the `/keypair` entry), and the reference client (x402-vara/client). Every emitted file
// is counted, each gzip -9 on its own. Also prints the tarball and each dist/ file.
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPackedPackage } from '../tests/support/scratch-install.mjs';
import { allFiles, gzipBytes as gz, outputSize } from '../tests/support/output-size.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
if (!existsSync(dist)) throw new Error('dist/ is missing: run npm run build');
const pad = (s, n) => String(s).padStart(n);
const TARGETS = { extension: 100 * 1024, key: 140 * 1024 };

console.log(`${'dist/ file'.padEnd(36)}${pad('raw bytes', 12)}${pad('gzip -9', 10)}`);
for (const file of allFiles(dist).filter((f) => /\.(js|cjs|mjs)$/.test(f))) {
  const buf = readFileSync(file);
  console.log(`${path.relative(dist, file).padEnd(36)}${pad(buf.length, 12)}${pad(gz(buf), 10)}`);
}

const apps = {
  extension: "import { wrapFetchWithPayment } from 'x402-vara-wasm';\nimport { connectExtension } from 'x402-vara-wasm/signers';\n" +
    "window.pay = async () => wrapFetchWithPayment(fetch, await connectExtension({ appName: 'size' }));\n",
  key: "import { wrapFetchWithPayment } from 'x402-vara-wasm';\nimport { Keypair, ready } from 'x402-vara-wasm/keypair';\n" +
    'window.pay = async (suri) => { await ready(); return wrapFetchWithPayment(fetch, Keypair.fromSuri(suri)); };\n',
  reference: "import axios from 'axios';\nimport { withX402Interceptor } from 'x402-vara/client';\n" +
    'window.pay = (signer) => withX402Interceptor(axios.create(), signer);\n',
};

/** Builds `source` as a one-page Vite app in `dir` (default config) and sizes what it emits. */
async function viteApp(dir, source) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="/main.js"></script>');
  writeFileSync(path.join(dir, 'main.js'), source);
  const { build } = await import('vite');
  await build({ root: dir, configFile: false, logLevel: 'error' });
  return outputSize(path.join(dir, 'dist'));
}

const { dir: scratch, tarballBytes } = installPackedPackage('x402-size-');
const sizes = {};
try {
  sizes.extension = await viteApp(path.join(scratch, 'extension'), apps.extension);
  sizes.key = await viteApp(path.join(scratch, 'key'), apps.key);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
// The reference app is built inside the repository, where x402-vara and axios are installed.
const refDir = path.join(root, '.cache/size/reference');
rmSync(refDir, { recursive: true, force: true });
sizes.reference = await viteApp(refDir, apps.reference);

console.log(`\nnpm tarball (npm pack dist/): ${tarballBytes} bytes`);
console.log('\nbrowser apps, Vite production build (default config), all emitted files, gzip -9 each:');
console.log(`${''.padEnd(42)}${pad('files', 6)}${pad('raw B', 11)}${pad('gzip -9 B', 11)}${pad('ref/this', 10)}${pad('target', 9)}`);
const ref = sizes.reference.gzip;
for (const [name, label] of [['extension', 'extension signer (default entry)'], ['key', 'in-wasm key (x402-vara-wasm/keypair)'], ['reference', 'reference: x402-vara/client + axios']]) {
  const s = sizes[name];
  const target = TARGETS[name] ? `${TARGETS[name] / 1024} KiB` : '';
  const verdict = TARGETS[name] ? (s.gzip <= TARGETS[name] ? ' met' : ' not met') : '';
  console.log(`${label.padEnd(42)}${pad(s.files, 6)}${pad(s.raw, 11)}${pad(s.gzip, 11)}${pad((ref / s.gzip).toFixed(2) + 'x', 10)}${pad(target, 9)}${verdict}`);
}
