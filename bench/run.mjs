// Side-by-side benchmarks against the reference client (x402-vara's withX402Interceptor +
// keyring) on the same local Vara chain and the same reference server, in one run. Prints
// figures; asserts nothing. `npm run bench` (after `npm run build`). BENCH_PAYMENTS sets
// the warm/memory run's payment count (default 20; 100 with BENCH_FULL=1).
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';
import { build } from 'esbuild';
import { startBenchShop, payerEnv, countingWsProxy, median, FULL } from './support.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? (FULL ? 100 : 20));
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 3);
const gz = (b) => gzipSync(b, { level: 9 }).length;

// 1. What a browser app ships when it imports only the client (esbuild, minified, gzip -9).
async function bundleSize(name, source) {
  const dir = path.join(root, '.cache/bench');
  mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, `${name}.entry.js`);
  writeFileSync(entry, source);
  const out = path.join(dir, `${name}.bundle.js`);
  await build({
    entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: out,
    logLevel: 'silent', absWorkingDir: root, nodePaths: [path.join(root, 'node_modules')],
    alias: {
      'x402-vara-wasm/keypair': path.join(root, 'dist/browser/keypair.js'),
      'x402-vara-wasm/signers': path.join(root, 'dist/js/signers.js'),
      'x402-vara-wasm': path.join(root, 'dist/browser/index.js'),
    },
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    // Node built-ins some dependencies import are left out (not polyfilled): this slightly
    // understates what a browser app would really ship with them.
    external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
  });
  // Our wasm is embedded in the bundle (base64 of its gzip bytes): one file, nothing beside it.
  const js = readFileSync(out);
  return { raw: js.length, gzip: gz(js) };
}

function runPayer(who, count, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'bench/payer.mjs'), who, String(count)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => {
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (code !== 0 || !line) return reject(new Error(`${who} payer failed (${code}):\n${err.slice(-2000)}`));
      resolve({ ...JSON.parse(line), wallMs: performance.now() - t0 });
    });
  });
}

// Two apps: paying through an extension (the default entry), and with the in-wasm key.
const ours = await bundleSize('ours', "import { wrapFetchWithPayment } from 'x402-vara-wasm'; import { connectExtension } from 'x402-vara-wasm/signers'; export { wrapFetchWithPayment, connectExtension };");
const oursKey = await bundleSize('ours-key', "import { wrapFetchWithPayment } from 'x402-vara-wasm'; import { Keypair } from 'x402-vara-wasm/keypair'; export { wrapFetchWithPayment, Keypair };");
const reference = await bundleSize('reference', "import { withX402Interceptor } from 'x402-vara/client'; export { withX402Interceptor };");

const shop = await startBenchShop();
const proxy = await countingWsProxy(shop.chain.wsUrl);
const env = payerEnv(shop, proxy.url);

const results = {};
try {
  for (const who of ['ours', 'reference']) {
    const cold = [];
    for (let i = 0; i < COLD_RUNS; i++) cold.push(await runPayer(who, 1, env));
    const before = { ...proxy.counts };
    const warm = await runPayer(who, PAYMENTS, env);
    const wsCalls = proxy.counts.calls - before.calls;
    results[who] = {
      coldMs: median(cold.map((c) => c.wallMs)),
      coldFirstPaymentMs: median(cold.map((c) => c.firstPaymentMs)),
      warmMedianMs: warm.warmMedianMs,
      rpcPerPayment: who === 'ours' ? warm.rpcCalls / PAYMENTS : wsCalls / PAYMENTS,
      roundTripsPerPayment: who === 'ours' ? warm.rpcRoundTrips / PAYMENTS : (proxy.counts.messages - before.messages) / PAYMENTS,
      firstPaymentRpc: who === 'ours' ? cold[0].rpcCalls : null,
      maxRssMiB: warm.maxRssKiB / 1024,
    };
  }
} finally {
  await proxy.close();
  await shop.stop();
}

const o = results.ours, r = results.reference;
const row = (label, a, b, unit, digits = 1) =>
  console.log(`${label.padEnd(44)}${a.toFixed(digits).padStart(12)} ${unit.padEnd(6)}${b.toFixed(digits).padStart(12)} ${unit.padEnd(6)}${(b / a).toFixed(2).padStart(8)}x`);
console.log(`\nx402 on Vara: this package vs the reference client (x402-vara ${JSON.parse(readFileSync(path.join(root, 'node_modules/x402-vara/package.json'))).version}), same chain, same server`);
console.log(`${''.padEnd(44)}${'ours'.padStart(19)}${'reference'.padStart(19)}${'ref/ours'.padStart(9)}`);
row('browser app, extension signer, min + gzip -9 (bytes)', ours.gzip, reference.gzip, 'B', 0);
row('browser app, in-wasm key, min + gzip -9 (bytes)', oursKey.gzip, reference.gzip, 'B', 0);
row('browser bundle, min, raw (bytes)', ours.raw, reference.raw, 'B', 0);
row(`cold: new process → paid response (median of ${COLD_RUNS})`, o.coldMs, r.coldMs, 'ms');
row('cold: first payment only', o.coldFirstPaymentMs, r.coldFirstPaymentMs, 'ms');
row(`warm payment latency (median of ${PAYMENTS - 1})`, o.warmMedianMs, r.warmMedianMs, 'ms');
row('RPC calls per payment (warm run)', o.rpcPerPayment, r.rpcPerPayment, '', 2);
row('RPC round trips per payment (warm run)', o.roundTripsPerPayment, r.roundTripsPerPayment, '', 2);
row(`peak RSS of a process doing ${PAYMENTS} payments`, o.maxRssMiB, r.maxRssMiB, 'MiB');
console.log(`ours, first payment from cold: ${o.firstPaymentRpc} RPC calls; the reference's WS count includes its connection setup.`);
