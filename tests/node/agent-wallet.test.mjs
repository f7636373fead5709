// An agent you can leave alone, on the local chain (the real Vara runtime under chopsticks)
// with real sellers: the strict x402 v2 seller (@x402/express + the polkadot-js facilitator,
// which settles and waits for execution before it serves) and the reference x402-vara v1
// server (which answers before its submission succeeds). Proxies in front of them stand in
// for the network faults and misbehaviours no real seller can be asked to produce.
//   - a lost answer is retried with the same payment, and an app's retry reuses it: one
//     payment on chain for one resource, or PAID_NOT_SERVED, never two;
//   - budgets: 20 concurrent payments against 5 prices → 5 executed, 15 BUDGET_EXCEEDED;
//   - the ledger: every payment from reservation to the chain's verdict, persisted, resumed
//     after a kill -9;
//   - a cross-origin redirect of the paid request leaks nothing;
//   - a seller that never answers delays another seller's payment by at most turnTimeoutMs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startSellerProxy } from '../support/seller-proxy.mjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { waitUntil, VARA } from '../support/local-chain.mjs';
import { startPaidSellers } from '../support/paid-sellers.mjs';

const { wrapFetchWithPayment, getPaymentReceipt, confirmPayment, PaymentLedger } = wasm;
const { VARA_TESTNET } = await import('../../dist/js/x402.js');
const { fileStore } = await import('../../dist/js/file-store.js');

const PRICE = 30_000_000_000n; // 0.03 VARA
let chain, api, v2, v1, options, seller;

/** A proxy in front of a seller: `onPaid(req, res, forward)` handles paid requests. */
const proxy = (target, onPaid) => startSellerProxy(target, onPaid);

/** A fresh payer with `vara` VARA, and its address. */
async function payer(name, vara = 1000n) {
  const key = wasm.Keypair.fromSuri(`//${name}`, { allowDevelopmentKeys: true });
  await chain.fund(key.address, vara * VARA);
  return key;
}

async function sellerGains(before) {
  await waitUntil(async () => (await chain.freeBalance(seller)) !== before, { timeoutMs: 5000 });
  return (await chain.freeBalance(seller)) - before;
}

let sellers;
before(async () => {
  sellers = await startPaidSellers(PRICE);
  ({ chain, api, seller, v2, v1, options } = sellers);
});
after(async () => {
  await sellers?.stop();
});

for (const [version, url, path_] of [['v2', () => v2.url, '/paid'], ['v2 with payment-identifier', () => v2.url, '/paid-id'], ['v1 reference', () => v1.url, '/paid']]) {
  test(`${version}: an answer lost after the seller settled is not paid twice, not even by the app's retry`, async () => {
    const key = await payer(`lost-${version}`);
    let drops = 0;
    // The seller settles; the proxy drops the connection before the answer reaches us,
    // three times (the client's own retries of the same payment too).
    const p = await proxy(url(), async (req, res, forward) => {
      await forward();
      if (drops < 3) { drops += 1; req.socket.destroy(); return; }
      res.writeHead(500).end('proxy gave up');
    });
    try {
      const before = await chain.freeBalance(seller);
      const payFetch = wrapFetchWithPayment(fetch, key, options);
      const first = await payFetch(p.url + path_).then((r) => r, (e) => e);
      // Whatever the seller answered, the chain has the last word: it executed once.
      assert.equal(await sellerGains(before), PRICE);
      const payloads = new Set(p.seen.filter((s) => s.paid).map((s) => s.paid));
      assert.equal(payloads.size, 1, 'every attempt carried the same signed payment');
      if (first instanceof Error) {
        assert.equal(first.code, 'PAID_NOT_SERVED', first.message);
        assert.equal(first.receipt.chain.status, 'executed');
        // The app retries anyway: the same payment again, never a second one.
        const again = await payFetch(p.url + path_).then((r) => r, (e) => e);
        if (again instanceof Error) assert.equal(again.code, 'PAID_NOT_SERVED', again.message);
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal((await chain.freeBalance(seller)) - before, PRICE, 'still one payment');
        assert.equal(new Set(p.seen.filter((s) => s.paid).map((s) => s.paid)).size, 1);
      } else {
        assert.equal(first.status, 200);
      }
    } finally {
      await p.close();
    }
  });
}

test('budget: 20 concurrent payments against a budget of 5 prices: 5 execute, 15 BUDGET_EXCEEDED, none of those signed', async () => {
  const key = await payer('budget-20');
  let signed = 0;
  const signer = { address: key.address, async signPayload(p, bytes) { signed += 1; return key.signPayload(p, bytes); } };
  const budget = { VARA: { total: String(5n * PRICE), perHour: String(5n * PRICE) } };
  const payFetch = wrapFetchWithPayment(fetch, signer, { ...options, budget });
  const before = await chain.freeBalance(seller);
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => payFetch(`${v2.url}/paid`)));
  const ok = results.filter((r) => r.status === 'fulfilled' && r.value.status === 200);
  const refused = results.filter((r) => r.status === 'rejected' && r.reason.code === 'BUDGET_EXCEEDED');
  assert.equal(ok.length, 5, results.filter((r) => r.status === 'rejected').map((r) => r.reason.message).join('\n'));
  assert.equal(refused.length, 15);
  assert.equal(signed, 5, 'nothing over the budget was signed');
  assert.match(refused[0].reason.message, /budget\.VARA\.(total|perHour).*0 left/);
  assert.equal(refused[0].reason.details.left, '0');
  assert.equal(await sellerGains(before), 5n * PRICE);
});

test('budget: a refused payment gives its reservation back; one budget object is shared by every wrapper naming it', async () => {
  const key = await payer('budget-refund');
  const budget = { VARA: { total: String(PRICE) } };
  const refusing = wrapFetchWithPayment(fetch, key, { ...options, budget, onBeforePayment: () => false });
  await assert.rejects(refusing(`${v2.url}/paid`), { code: 'SIGNER_REJECTED' });
  let preview;
  const paying = wrapFetchWithPayment(fetch, key, { ...options, budget, onBeforePayment: (p) => { preview = p; } });
  assert.equal((await paying(`${v2.url}/paid`)).status, 200);
  assert.equal(preview.budgetLeft.total, String(PRICE), 'the preview shows what is left before this payment');
  await assert.rejects(paying(`${v2.url}/paid`), { code: 'BUDGET_EXCEEDED' });
  // Another wrapper given the same object shares the sum.
  await assert.rejects(wrapFetchWithPayment(fetch, key, { ...options, budget })(`${v2.url}/paid`), { code: 'BUDGET_EXCEEDED' });
  // A budget given as a new object is a new budget.
  assert.equal((await wrapFetchWithPayment(fetch, key, { ...options, budget: { VARA: { total: String(PRICE) } } })(`${v2.url}/paid`)).status, 200);
});

test('ledger: every payment from reservation to the chain\'s verdict, with events, JSON and CSV; receipts carry the chain', async () => {
  const key = await payer('ledger');
  const ledger = await PaymentLedger.open();
  const stages = [];
  ledger.on((e) => stages.push(e.stage));
  const payFetch = wrapFetchWithPayment(fetch, key, { ...options, ledger });
  const response = await payFetch(`${v2.url}/paid`);
  assert.equal(response.status, 200);
  const receipt = getPaymentReceipt(response);
  const verdict = await confirmPayment(receipt, options);
  assert.equal(verdict.status, 'executed');
  assert.ok(verdict.blockNumber > 0 && verdict.index >= 1);
  assert.deepEqual(getPaymentReceipt(response).chain, verdict);
  const [entry] = ledger.entries();
  assert.equal(entry.stage, 'executed');
  assert.equal(entry.amount, String(PRICE));
  assert.equal(entry.method, 'GET');
  assert.equal(entry.url, `${v2.url}/paid`);
  assert.equal(entry.answer.status, 200);
  assert.match(entry.txHash, /^0x[0-9a-f]{64}$/);
  for (const s of ['reserved', 'signed', 'handed', 'answered', 'executed']) assert.ok(stages.includes(s), `${s} in ${stages}`);
  assert.equal(ledger.entries({ stage: 'executed' }).length, 1);
  assert.equal(ledger.entries({ stage: 'dead' }).length, 0);
  assert.match(ledger.toCSV().split('\r\n')[1], new RegExp(`^${entry.id},executed,`));
  assert.equal(JSON.parse(JSON.stringify(ledger))[0].id, entry.id);
  // The chain's own record agrees: the extrinsic at that index of that block is ours.
  const block = await chain.rpc('chain_getBlock', [verdict.blockHash]);
  const { blake2AsHex } = await import('@polkadot/util-crypto');
  assert.equal(blake2AsHex(block.block.extrinsics[verdict.index]), entry.txHash);
});

test('a cross-origin redirect of the paid request leaks nothing: CROSS_ORIGIN_REDIRECT, the payment watched', async () => {
  const key = await payer('redirect');
  const thief = [];
  const other = http.createServer((req, res) => { thief.push(req.headers); res.end('{"stolen":true}'); });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  const p = await proxy(v2.url, (req, res) => {
    res.writeHead(307, { location: `http://127.0.0.1:${other.address().port}/collect` }).end();
  });
  try {
    const payFetch = wrapFetchWithPayment(fetch, key, options);
    const e = await payFetch(`${p.url}/paid`).then(() => null, (err) => err);
    assert.equal(e?.code, 'CROSS_ORIGIN_REDIRECT', e?.message);
    assert.equal(thief.length, 0, 'the other origin received nothing');
    assert.ok(e.receipt.entryId, 'the payment is in the ledger, watched');
  } finally {
    await p.close();
    await new Promise((r) => other.close(r));
  }
});

test('a seller that never answers the paid request delays another seller\'s payment by at most turnTimeoutMs', async () => {
  const key = await payer('hang');
  let handedAt = 0;
  let arrivedAt = 0;
  const hanging = await proxy(v2.url, () => { handedAt ||= Date.now(); }); // takes the paid request, never answers
  const honestSeller = await proxy(v2.url, async (req, res, forward, send) => { arrivedAt ||= Date.now(); send(await forward()); });
  try {
    const TURN = 2000;
    const payFetch = wrapFetchWithPayment(fetch, key, { ...options, turnTimeoutMs: TURN });
    const controller = new AbortController();
    const stuck = payFetch(`${hanging.url}/paid`, { signal: controller.signal }).catch((e) => e);
    await waitUntil(async () => handedAt > 0, { timeoutMs: 15_000 });
    const before = await chain.freeBalance(seller);
    const honest = await payFetch(`${honestSeller.url}/paid`);
    assert.equal(honest.status, 200);
    // The honest payment reached its seller once the hanging one had held the lane for the
    // bound (and a little: this machine is loaded), not an era.
    const held = arrivedAt - handedAt;
    assert.ok(held >= TURN - 50 && held < TURN + 6000, `the honest payment was held ${held} ms`);
    assert.equal(await sellerGains(before), PRICE);
    controller.abort();
    assert.equal((await stuck).code, 'ABORTED');
  } finally {
    await hanging.close();
    await honestSeller.close();
  }
});

test('ledger after a crash: a process killed between "handed" and "answered" is confirmed from the chain on restart', async () => {
  const key = await payer('crash');
  const dir = mkdtempSync(path.join(tmpdir(), 'x402-ledger-'));
  const file = path.join(dir, 'payments.jsonl');
  // The seller settles (the payment executes) and never answers: the agent is killed while
  // it waits.
  const p = await proxy(v2.url, async (req, res, forward) => { await forward(); });
  const script = (body) => `
    const { wasm } = await import(${JSON.stringify(path.join(repoRoot, 'tests/support/wasm-pkg.mjs'))});
    const { fileStore } = await import(${JSON.stringify(path.join(repoRoot, 'dist/js/file-store.js'))});
    const options = ${JSON.stringify(options)};
    const key = wasm.Keypair.fromSuri('//crash', { allowDevelopmentKeys: true });
    const ledger = await wasm.PaymentLedger.open({ store: fileStore(${JSON.stringify(file)}) });
    ${body}`;
  const before = await chain.freeBalance(seller);
  const agent = spawn(process.execPath, ['--unhandled-rejections=strict', '--input-type=module', '-e', script(`
    ledger.on((e) => { if (e.stage === 'handed') console.log('HANDED'); });
    await wasm.wrapFetchWithPayment(fetch, key, { ...options, ledger })(${JSON.stringify(p.url + '/paid')});`)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => agent.stdout.on('data', (d) => { if (String(d).includes('HANDED')) resolve(); }));
  await waitUntil(async () => (await chain.freeBalance(seller)) !== before, { timeoutMs: 15_000 });
  agent.kill('SIGKILL');
  await new Promise((r) => agent.once('exit', r));
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.at(-1).stage, 'handed', 'killed before any answer');
  // Restarted: the ledger resumes and the chain confirms the payment.
  const out = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--unhandled-rejections=strict', '--input-type=module', '-e', script(`
      await ledger.confirmPending(options);
      console.log(JSON.stringify(ledger.entries()));`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}`))));
  });
  const [entry] = JSON.parse(out);
  assert.equal(entry.stage, 'executed');
  assert.equal(entry.chain.status, 'executed');
  assert.equal((await chain.freeBalance(seller)) - before, PRICE);
  await p.close();
});

test('above the balance, refused before signing on the warm path too (counting what was signed since the last read)', async () => {
  const key = await payer('warm-balance', 20n);
  let signed = 0;
  const signer = { address: key.address, async signPayload(p, bytes) { signed += 1; return key.signPayload(p, bytes); } };
  const opts = { ...options, maxAmount: { VARA: String(10_000n * VARA) } };
  // A warm-up payment: the chain was read, the checkpoint and nonce are cached.
  assert.equal((await wrapFetchWithPayment(fetch, signer, opts)(`${v2.url}/paid`)).status, 200);
  assert.equal(signed, 1);
  const required = JSON.parse(Buffer.from((await fetch(`${v2.url}/paid`)).headers.get('payment-required'), 'base64').toString());
  const big = { ...required, accepts: [{ ...required.accepts[0], amount: String(5000n * VARA) }] };
  await assert.rejects(wasm.createPaymentHeader(big, signer, opts), (e) => e.code === 'INSUFFICIENT_BALANCE' && /free/.test(e.message));
  // Two payments that each fit, but not together: the second is counted against the first.
  const half = { ...required, accepts: [{ ...required.accepts[0], amount: String(6n * VARA) }] };
  await wasm.createPaymentHeader(half, signer, opts);
  await assert.rejects(wasm.createPaymentHeader(half, signer, opts), (e) => e.code === 'INSUFFICIENT_BALANCE');
  assert.equal(signed, 2, 'nothing above the balance was signed');
});
