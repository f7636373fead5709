// Prints the raw and gzip -9 size of each target's .wasm and JS glue in dist/, and what a
// browser app ships: the web build's wasm + its glue and entry + the JS shims, minified.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
if (!existsSync(dist)) throw new Error('dist/ is missing: run npm run build');
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const minified = (file) => Buffer.from(transformSync(readFileSync(file, 'utf8'), { minify: true, format: 'esm', loader: 'js' }).code);

const rows = [];
for (const target of ['web', 'node', 'bundler']) {
  for (const file of readdirSync(path.join(dist, target)).filter((f) => /\.(wasm|js|mjs)$/.test(f))) {
    const buf = readFileSync(path.join(dist, target, file));
    rows.push([`${target}/${file}`, buf.length, gz(buf)]);
  }
}
const pad = (s, n) => String(s).padStart(n);
console.log(`${'file'.padEnd(36)}${pad('raw bytes', 12)}${pad('gzip -9', 10)}`);
for (const [f, raw, g] of rows) console.log(`${f.padEnd(36)}${pad(raw, 12)}${pad(g, 10)}`);

const wasm = readFileSync(path.join(dist, 'web/x402_vara_wasm_bg.wasm'));
const js = Buffer.concat(['web/x402_vara_wasm.js', 'web/index.js', ...readdirSync(path.join(dist, 'js')).filter((f) => f.endsWith('.js')).map((f) => `js/${f}`)]
  .map((f) => minified(path.join(dist, f))));
console.log(`\nclient wasm (web, gzip -9):           ${pad(gz(wasm), 8)} bytes`);
console.log(`client JS, minified (gzip -9):        ${pad(gz(js), 8)} bytes`);
console.log(`client total (wasm + JS, gzip -9):    ${pad(gz(wasm) + gz(js), 8)} bytes (budget 107520 = 105 KiB)`);
