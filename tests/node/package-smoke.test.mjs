// The packed package, installed into a scratch project like a user would: it imports under
// Node 20 with `import` and `require`, its subpath entries resolve, and its TypeScript
// declarations type-check a small consumer with `tsc --noEmit`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { installPackedPackage } from '../support/scratch-install.mjs';

const ALICE = 'kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW';
let scratch, run;

before(() => {
  ({ dir: scratch, run } = installPackedPackage('x402-smoke-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('import (ESM) under Node 20', () => {
  const out = run('node', ['--input-type=module', '-e',
    "import { Keypair, wrapFetchWithPayment } from 'x402-vara-wasm'; console.log(Keypair.fromSuri('//Alice').address, typeof wrapFetchWithPayment)"]);
  assert.equal(out.trim(), `${ALICE} function`);
});

test('require (CommonJS) under Node 20', () => {
  const out = run('node', ['-e', "const { Keypair } = require('x402-vara-wasm'); console.log(Keypair.fromSuri('//Alice').address)"]);
  assert.equal(out.trim(), ALICE);
});

test('import and require share one wasm instance; ready() resolves at once in Node', () => {
  const out = run('node', ['--input-type=module', '-e', `
    import { createRequire } from 'node:module';
    import { Keypair, ready } from 'x402-vara-wasm';
    const required = createRequire(import.meta.url)('x402-vara-wasm');
    await ready();
    console.log(required.Keypair === Keypair, typeof required.ready);`]);
  assert.equal(out.trim(), 'true function');
});

test('./web and ./bundler are aliases of the browser entry', () => {
  const out = run('node', ['--input-type=module', '-e', `
    const web = import.meta.resolve('x402-vara-wasm/web'), bundler = import.meta.resolve('x402-vara-wasm/bundler');
    console.log(web === bundler, web.endsWith('/browser/index.js'));`]);
  assert.equal(out.trim(), 'true true');
});

test('the Axios and signer entries resolve and use the same wasm instance', () => {
  const out = run('node', ['--input-type=module', '-e', `
    import { withX402Interceptor } from 'x402-vara-wasm/axios';
    import { toSigner, fromSignBytes } from 'x402-vara-wasm/signers';
    import { Keypair } from 'x402-vara-wasm';
    const k = Keypair.fromSuri('//Alice');
    console.log(typeof withX402Interceptor, toSigner(k) === k, typeof fromSignBytes);`]);
  assert.equal(out.trim(), 'function true function');
});

test('TypeScript declarations type-check a consumer (tsc --noEmit)', () => {
  writeFileSync(path.join(scratch, 'consumer.ts'), `
    import { ready, Keypair, wrapFetchWithPayment, getPaymentReceipt, createPaymentHeader, type X402Options,
      type PaymentRequirements, type X402Error, type PaymentSummary } from 'x402-vara-wasm';
    import { withX402Interceptor } from 'x402-vara-wasm/axios';
    import { connectExtension, fromKeyringPair } from 'x402-vara-wasm/signers';
    const options: X402Options = { maxAmount: { VARA: '100000000000' }, networks: ['vara-testnet'],
      onBeforePayment: async (p) => p.amount !== '0', gasLimit: 'max' };
    const key: Keypair = Keypair.fromSuri('//Alice');
    const payFetch: typeof fetch = wrapFetchWithPayment(fetch, key, options);
    async function main(req: PaymentRequirements): Promise<string | undefined> {
      const loaded: Promise<void> = ready();
      await loaded;
      const r = await payFetch('http://localhost/paid');
      const created = await createPaymentHeader(req, key, options);
      const s: PaymentSummary = created.summary;
      const { signer } = await connectExtension({ appName: 'demo' });
      withX402Interceptor({ interceptors: { response: { use: () => 0 } }, request: async () => ({}) }, signer);
      fromKeyringPair({ address: s.payer, sign: (m: Uint8Array) => m });
      return getPaymentReceipt(r)?.settlement?.txHash;
    }
    function isX402(e: unknown): e is X402Error { return e instanceof Error && 'code' in e; }
    export { main, isX402 };
  `);
  writeFileSync(path.join(scratch, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], skipLibCheck: false },
    files: ['consumer.ts'],
  }));
  try {
    run(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json']);
  } catch (e) {
    assert.fail(`tsc found errors:\n${e.stdout}`);
  }
});
