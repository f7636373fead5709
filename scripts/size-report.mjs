// Prints the raw and gzip -9 size of each file in dist/, the cost of embedding the wasm as
// base64 of its gzip bytes, and what a browser app ships: the browser entry with its
// embedded wasm, the glue and the JS shims, minified.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { gzipSync, gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
if (!existsSync(dist)) throw new Error('dist/ is missing: run npm run build');
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const minified = (file) => Buffer.from(transformSync(readFileSync(file, 'utf8'), { minify: true, format: 'esm', loader: 'js' }).code);
const files = (dir) => readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? files(path.join(dir, f)) : [path.join(dir, f)]));

const pad = (s, n) => String(s).padStart(n);
console.log(`${'file'.padEnd(36)}${pad('raw bytes', 12)}${pad('gzip -9', 10)}`);
for (const file of files(dist).filter((f) => /\.(js|cjs|mjs)$/.test(f))) {
  const buf = readFileSync(file);
  console.log(`${path.relative(dist, file).padEnd(36)}${pad(buf.length, 12)}${pad(gz(buf), 10)}`);
}

// The embedded module is `export default "<base64 of gzip -9 of the wasm>"`.
const embedded = readFileSync(path.join(dist, 'wasm/x402_vara_wasm.gz.js'), 'latin1');
const base64 = embedded.slice(embedded.indexOf('"') + 1, embedded.lastIndexOf('"'));
const wasmGz = Buffer.from(base64, 'base64');
const wasm = gunzipSync(wasmGz);
console.log(`\nwasm: ${wasm.length} bytes raw, ${wasmGz.length} gzip -9; embedded as ${base64.length} base64 chars, ` +
  `${gz(embedded)} gzip -9 (+${((gz(embedded) / wasmGz.length - 1) * 100).toFixed(2)} % over the gzip'd wasm)`);

const js = Buffer.concat(['wasm/x402_vara_wasm.js', 'browser/index.js', 'browser/loader.js',
  ...readdirSync(path.join(dist, 'js')).filter((f) => f.endsWith('.js')).map((f) => `js/${f}`)]
  .map((f) => minified(path.join(dist, f))));
console.log(`client wasm (gzip -9):                ${pad(wasmGz.length, 8)} bytes`);
console.log(`client JS, minified (gzip -9):        ${pad(gz(js), 8)} bytes`);
console.log(`client total (wasm + JS, gzip -9):    ${pad(wasmGz.length + gz(js), 8)} bytes (budget 107520 = 105 KiB)`);
console.log(`as shipped (JS with the embedded wasm, gzip -9): ${pad(gz(Buffer.concat([js, Buffer.from(embedded)])), 8)} bytes`);
