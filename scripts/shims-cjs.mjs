// CommonJS copies of the JS shims (axios, signers, x402; errors.js and options.js are bundled in) for `require`, on every Node the
// package supports (Node < 20.19 cannot require an ES module). The package itself stays
// external, so a required shim shares the Node entry's one wasm instance. Their declarations
// are copied as .d.cts: TypeScript reads a .d.ts of this "type": "module" package as ESM, so
// its `declare module 'axios'` would augment axios's ESM types, not the CommonJS ones a
// `require` consumer sees (`response.x402` would be TS2339 there).
import { copyFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const dist = path.resolve(process.argv[2] ?? 'dist');
const shims = readdirSync(path.join(dist, 'js')).filter((f) => f.endsWith('.js') && !['errors.js', 'options.js'].includes(f));
for (const file of shims) {
  await build({
    entryPoints: [path.join(dist, 'js', file)], bundle: true, format: 'cjs', platform: 'node', target: 'node20',
    outfile: path.join(dist, 'js', file.replace(/\.js$/, '.cjs')), external: ['x402-vara-wasm', 'x402-vara-wasm/*'], logLevel: 'error',
  });
  const dts = path.join(dist, 'js', file.replace(/\.js$/, '.d.ts'));
  copyFileSync(dts, dts.replace(/\.d\.ts$/, '.d.cts'));
}
