// The packed package, installed into a scratch project like a user would: it imports under
// Node 20 with `import` and `require`, its subpath entries resolve, and its TypeScript
// declarations type-check a small consumer with `tsc --noEmit`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { installPackedPackage } from '../support/scratch-install.mjs';

const ALICE = 'kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW';
let scratch, run;

before(() => {
  ({ dir: scratch, run } = installPackedPackage('x402-smoke-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('import (ESM) under Node 20: the client and, from its own entry, the in-wasm key', () => {
  const out = run('node', ['--input-type=module', '-e',
    "import * as main from 'x402-vara-wasm'; import { Keypair } from 'x402-vara-wasm/keypair'; console.log(Keypair.fromSuri('//Alice').address, typeof main.wrapFetchWithPayment, typeof main.Keypair)"]);
  assert.equal(out.trim(), `${ALICE} function undefined`);
});

test('require (CommonJS) under Node 20, the shims too', () => {
  const out = run('node', ['-e', `
    const { Keypair } = require('x402-vara-wasm/keypair');
    const { wrapFetchWithPayment, X402Error } = require('x402-vara-wasm');
    const { withX402Interceptor } = require('x402-vara-wasm/axios');
    const { connectExtension } = require('x402-vara-wasm/signers');
    const { varaExactScheme } = require('x402-vara-wasm/x402');
    console.log(Keypair.fromSuri('//Alice').address, [wrapFetchWithPayment, withX402Interceptor, connectExtension, varaExactScheme, X402Error].map((f) => typeof f).join());`]);
  assert.equal(out.trim(), `${ALICE} function,function,function,function,function`);
});

test('import and require share one wasm instance and one error class; ready() resolves at once in Node', () => {
  const out = run('node', ['--input-type=module', '-e', `
    import { createRequire } from 'node:module';
    import { wrapFetchWithPayment, ready, X402Error, isX402Error } from 'x402-vara-wasm';
    import { Keypair } from 'x402-vara-wasm/keypair';
    const required = createRequire(import.meta.url)('x402-vara-wasm');
    await ready();
    let e; try { Keypair.fromSuri('not a phrase'); } catch (err) { e = err; }
    const key = Keypair.fromSuri('//Alice'); key.free();
    let freed; try { key.address; } catch (err) { freed = err; }
    console.log(required.wrapFetchWithPayment === wrapFetchWithPayment, required.X402Error === X402Error, e instanceof X402Error, isX402Error(e), e.code, freed instanceof X402Error, freed.code);`]);
  assert.equal(out.trim(), 'true true true true INVALID_SECRET true KEY_FREED');
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
    import { Keypair } from 'x402-vara-wasm/keypair';
    const k = Keypair.fromSuri('//Alice');
    console.log(typeof withX402Interceptor, toSigner(k) === k, typeof fromSignBytes);`]);
  assert.equal(out.trim(), 'function true function');
});

test('TypeScript declarations type-check a consumer (tsc --noEmit)', () => {
  // axios (a peer of the Axios shim) for the AxiosResponse augmentation: the repository's copy.
  symlinkSync(path.join(repoRoot, 'node_modules/axios'), path.join(scratch, 'node_modules/axios'), 'dir');
  writeFileSync(path.join(scratch, 'consumer.ts'), `
    import { ready, wrapFetchWithPayment, getPaymentReceipt, createPaymentHeader, X402Error, isX402Error, type X402Options,
      type PaymentRequirements, type PaymentSummary, type X402ErrorCode } from 'x402-vara-wasm';
    import { Keypair } from 'x402-vara-wasm/keypair';
    import { withX402Interceptor } from 'x402-vara-wasm/axios';
    import { connectExtension, fromKeyringPair } from 'x402-vara-wasm/signers';
    import axios from 'axios';
    const options: X402Options = { maxAmount: { VARA: 100_000_000_000n, '0xabcd': '5' }, networks: ['vara-testnet', 'polkadot:525639f713f397dcf839bd022cd821f3'],
      rpcUrls: { vara: ['http://a', 'http://b'] }, timeoutMs: 5000, onBeforePayment: async (p) => p.amount !== '0', gasLimit: 'max' };
    const key: Keypair = Keypair.fromSuri('//Alice', { allowDevelopmentKeys: true });
    const code: X402ErrorCode = 'KEY_FREED';
    const error = new X402Error(code, 'typed');
    const payFetch: typeof fetch = wrapFetchWithPayment(fetch, key, options);
    async function main(req: PaymentRequirements): Promise<string | undefined> {
      const loaded: Promise<void> = ready();
      await loaded;
      const r = await payFetch('http://localhost/paid');
      const created = await createPaymentHeader(req, key, options);
      const s: PaymentSummary = created.summary;
      const { signer } = await connectExtension({ appName: 'demo' });
      withX402Interceptor({ interceptors: { request: { use: () => 0 }, response: { use: () => 0 } }, request: async () => ({}), getUri: () => '' }, signer);
      fromKeyringPair({ address: s.payer, sign: (m: Uint8Array) => m });
      return getPaymentReceipt(r)?.settlement?.txHash;
    }
    async function axiosPaid(): Promise<string | undefined> {
      const r = await withX402Interceptor(axios.create(), key).get('http://localhost/paid');
      return r.x402?.settlement?.txHash;
    }
    function codeOf(e: unknown): X402ErrorCode | undefined { return e instanceof X402Error ? e.code : isX402Error(e) ? e.code : undefined; }
    export { main, codeOf, axiosPaid, error };
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
