// A seller can neither crash the client's process nor hold it forever (issue 23, item 1). A
// client app runs in a process of its own (tests/support/paying-app.mjs, with
// --unhandled-rejections=strict) and pays a seller that trickles its 402 body, the paid
// answer's body or an error body, one byte every 200 ms, bounded by AbortSignal.timeout, by
// AbortController.abort(), or by nothing (then bodyTimeoutMs) — while the same payer pays an
// honest seller twice. The process must exit 0 with the typed error, and the honest payments
// must complete, execute on the local chain and be reported. Huge and endless bodies end in
// typed errors too (in this process, which tests/support/strict.mjs watches).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { startChain, waitUntil, VARA } from '../support/local-chain.mjs';
import { startSeller } from '../support/sellers.mjs';

const PRICE = 10_000_000_000n; // 0.01 VARA
const SIGNAL_MS = 1500;
const key = (path) => wasm.Keypair.fromSuri(`//Alice//no-crash//${path}`, { allowDevelopmentKeys: true });
let chain;
const sellers = [];

before(async () => {
  chain = await startChain();
});
after(async () => {
  // One after another: each v1 seller closes the reference seller's shared connection, and a
  // concurrent stop would open it again behind the other's back (left reconnecting forever).
  for (const s of sellers) await s.stop().catch(() => {});
  await chain?.stop();
});

async function seller(kind, version, name, extra = {}) {
  const payTo = key(`${version}//${name}`).address;
  await chain.fund(payTo, 100n * VARA);
  const s = await startSeller(kind, { chain, version, price: PRICE, payTo, ...extra });
  sellers.push(s);
  return Object.assign(s, { payTo });
}

/** Runs the app in its own process; resolves to its exit code, signal and printed result. */
function runApp(config, timeoutMs = 90_000) {
  const child = spawn(process.execPath, ['--unhandled-rejections=strict', '--expose-gc', path.join(repoRoot, 'tests/support/paying-app.mjs'), JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      let output = null;
      try { output = JSON.parse(stdout.trim().split('\n').at(-1)); } catch {}
      resolve({ code, signal, output, stdout, stderr });
    });
  });
}

const expected = {
  // What the app gets from the wrapper (or from reading the paid body itself).
  402: { timeout: 'ABORTED', abort: 'ABORTED', none: 'TIMEOUT' },
  error: { timeout: 'ABORTED', abort: 'ABORTED', none: 'TIMEOUT' },
  paid: { timeout: 'TimeoutError', abort: 'AbortError', none: 'DEADLINE' },
};

for (const version of [1, 2]) {
  describe(`v${version}`, () => {
    let honest, tricklers, payer;
    before(async () => {
      honest = await seller('honest', version, 'honest');
      tricklers = {};
      for (const at of ['402', 'paid', 'error']) tricklers[at] = await seller('trickle', version, `trickle-${at}`, { at });
      payer = key(`${version}//payer`);
      await chain.fund(payer.address, 1000n * VARA);
    });

    for (const at of ['402', 'paid', 'error']) {
      // A v2 client takes its offer from the header and never reads the 402 body: it pays (once suffices).
      const reachesBody = !(version === 2 && at === '402');
      for (const mode of reachesBody ? ['timeout', 'abort', 'none'] : ['timeout']) {
        // The paid body is reached after a payment that settles on chain: its signal leaves time for that.
        // The error body is reached after a payment was signed and sent: its signal leaves time for that too.
        const signalMs = at === 'paid' || !reachesBody ? 12_000 : at === 'error' ? 6000 : SIGNAL_MS;
        test(`v${version} trickled ${at} body, ${mode === 'none' ? 'no signal' : mode}: the process lives, ${reachesBody ? expected[at][mode] : 'paid'}; two honest payments complete`, async () => {
          const trickler = tricklers[at];
          const before = { honest: await chain.freeBalance(honest.payTo), trickler: await chain.freeBalance(trickler.payTo) };
          const t0 = Date.now();
          const run = await runApp({
            suri: `//Alice//no-crash//${version}//payer`, rpcUrl: chain.httpUrl, genesisHash: chain.genesisHash,
            url: trickler.url, mode, signalMs, bodyTimeoutMs: mode === 'none' ? SIGNAL_MS : undefined,
            // From 500 ms on: the bounded payment is signed first, the honest ones are in flight when its signal fires.
            honest: [{ url: honest.url, delayMs: 500 }, { url: honest.url, delayMs: 1000 }],
          });
          const elapsed = Date.now() - t0;
          assert.equal(run.signal, null, `killed (${run.signal}): it did not exit\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
          assert.equal(run.code, 0, `exit code ${run.code}\n${run.stderr}`);
          const { result, honest: paid } = run.output;

          const paysTrickler = at === 'paid' || !reachesBody;
          if (paysTrickler) {
            assert.equal(result.status, 200, JSON.stringify(result));
            assert.equal(result.paid, true);
            assert.match(result.txHash, /^0x[0-9a-f]{64}$/);
            assert.equal(result.body, reachesBody ? expected.paid[mode] : 'DONE');
          } else {
            assert.equal(result.error?.code, expected[at][mode], JSON.stringify(result));
            if (at === 'error') assert.equal(result.error.status, 500, JSON.stringify(result));
            if (mode === 'none') assert.match(result.error.message, /within 1500 ms \(options\.bodyTimeoutMs\)/);
            else assert.match(result.error.message, mode === 'timeout' ? /timeout/i : /abort/i);
          }
          for (const p of paid) {
            assert.equal(p.status, 200, JSON.stringify(p));
            assert.deepEqual(p.body, { ok: true, joke: 'a VARA walks into a bar' });
            assert.match(p.txHash, /^0x[0-9a-f]{64}$/);
          }
          assert.notEqual(paid[0].nonce, paid[1].nonce);
          const want = { honest: before.honest + 2n * PRICE, trickler: before.trickler + (paysTrickler ? PRICE : 0n) };
          assert.ok(await waitUntil(async () => (await chain.freeBalance(honest.payTo)) === want.honest), 'both honest payments executed');
          assert.equal(await chain.freeBalance(trickler.payTo), want.trickler);
          if (!paysTrickler) assert.ok(elapsed < 30_000, `${elapsed} ms`);
        });
      }
    }
  });
}

describe('huge and endless bodies: typed errors, nothing read past the limit', () => {
  let payer, pay;
  before(async () => {
    payer = key('limits//payer');
    await chain.fund(payer.address, 1000n * VARA);
    pay = wasm.wrapFetchWithPayment(fetch, payer, { rpcUrls: { 'vara-testnet': chain.httpUrl }, genesisHashes: { 'vara-testnet': chain.genesisHash } });
  });

  for (const [kind, extra] of [['huge', { contentLength: true }], ['huge', {}], ['endless', {}]]) {
    const what = `${kind}${extra.contentLength ? ' (announced)' : ''}`;
    test(`v1 ${what} 402 body: MALFORMED_402 (over the limit), nothing signed`, async () => {
      const s = await seller(kind, 1, `${what}-402`, { at: '402', ...extra });
      await assert.rejects(pay(s.url), (e) => e.name === 'X402Error' && e.code === 'MALFORMED_402' && /exceeds \d+ bytes/.test(e.message));
      assert.equal(s.seen.filter((r) => r.paid).length, 0);
    });

    for (const version of [1, 2]) {
      test(`v${version} ${what} error body after paying: the error comes with status 500, the body cut at the limit`, async () => {
        const s = await seller(kind, version, `${what}-error`, { at: 'error', ...extra });
        // The code after paying is the after-payment rule's (the lead's ledger decides it); here: typed, bounded, status kept.
        await assert.rejects(pay(s.url), (e) => e.name === 'X402Error' && e.status === 500 && e.reason === '');
      });
    }

    test(`v2 ${what} paid body: returned to the app, which reads what it wants and cancels`, async () => {
      const s = await seller(kind, 2, `${what}-paid`, { at: 'paid', ...extra });
      const before = await chain.freeBalance(s.payTo);
      const response = await pay(s.url);
      assert.equal(response.status, 200);
      assert.ok(wasm.getPaymentReceipt(response));
      const reader = response.body.getReader();
      for (let bytes = 0; bytes < 1_000_000;) bytes += (await reader.read()).value.length;
      await reader.cancel();
      assert.ok(await waitUntil(async () => (await chain.freeBalance(s.payTo)) === before + PRICE));
    });
  }
});
