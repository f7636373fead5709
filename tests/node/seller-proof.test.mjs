// Seller-proof reports, on the local chain with the strict x402 v2 seller (@x402/express +
// the polkadot-js facilitator) and the reference x402-vara v1 server behind proxies that
// misbehave as a seller could: the chain, not the seller, decides what the app is told.
//   - settle, then 500 / 402  → PAID_NOT_SERVED with the executed receipt (never "rejected");
//   - 402 with a receipt claiming success, never submitted → a refusal flagged as the
//     seller's claim; the next payment to an honest seller is not knocked out;
//   - refuse, then cash the payment → reported PAID_NOT_SERVED when the chain sees it in time,
//     else the next payment that lost its nonce to it is signed again and served, and the
//     ledger says the refusing seller cashed it;
//   - a front-running proxy that submits the captured payment → PAID_NOT_SERVED, one payment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { wasm } from '../support/wasm-pkg.mjs';
import { waitUntil, VARA } from '../support/local-chain.mjs';
import { startPaidSellers } from '../support/paid-sellers.mjs';
import { startSellerProxy, submitCaptured } from '../support/seller-proxy.mjs';

const { wrapFetchWithPayment, PaymentLedger } = wasm;
const { VARA_TESTNET } = await import('../../dist/js/x402.js');

const PRICE = 30_000_000_000n;
let chain, api, v2, v1, options, seller;
let payers = 0;

async function payer() {
  const key = wasm.Keypair.fromSuri(`//seller-proof-${(payers += 1)}`, { allowDevelopmentKeys: true });
  await chain.fund(key.address, 1000n * VARA);
  return key;
}

const balance = () => chain.freeBalance(seller);
const settled = async (before, expected) => {
  await waitUntil(async () => (await balance()) - before >= expected, { timeoutMs: 8000 });
  await new Promise((r) => setTimeout(r, 500));
  return (await balance()) - before;
};
const successReceipt = (version) => version === 2
  ? { 'payment-response': Buffer.from(JSON.stringify({ success: true, transaction: '0x' + '11'.repeat(32), network: VARA_TESTNET })).toString('base64') }
  : { 'x-payment-response': '0x' + '11'.repeat(32) };

let sellers;
before(async () => {
  sellers = await startPaidSellers(PRICE);
  ({ chain, api, seller, v2, v1, options } = sellers);
});
after(async () => {
  await sellers?.stop();
});

for (const [version, status] of [[2, 500], [2, 402], [1, 500], [1, 402]]) {
  test(`v${version}: a seller that settles and then answers ${status} → PAID_NOT_SERVED with the executed receipt`, async () => {
    const p = await startSellerProxy(version === 2 ? v2.url : v1.url, async (req, res, forward, send) => {
      const a = await forward();
      send({ status, headers: { 'content-type': 'application/json' }, body: '{"error":"something broke"}' });
      return a;
    });
    try {
      const before = await balance();
      const e = await wrapFetchWithPayment(fetch, await payer(), options)(`${p.url}/paid`).then(() => null, (x) => x);
      assert.equal(e?.code, 'PAID_NOT_SERVED', e?.message);
      assert.equal(e.receipt.chain.status, 'executed');
      assert.equal(e.status, status);
      assert.equal(await settled(before, PRICE), PRICE);
    } finally {
      await p.close();
    }
  });
}

for (const version of [1, 2]) {
  test(`v${version}: 402 with a receipt claiming success, never submitted: the seller's claim, and the next payment is not knocked out`, async () => {
    const target = version === 2 ? v2.url : v1.url;
    const liar = await startSellerProxy(target, (req, res, forward, send) => {
      send({ status: 402, headers: { 'content-type': 'application/json', ...successReceipt(version) }, body: '{"error":"no"}' });
    });
    try {
      const key = await payer();
      const ledger = await PaymentLedger.open();
      const payFetch = wrapFetchWithPayment(fetch, key, { ...options, ledger, confirmWaitMs: 1000 });
      const before = await balance();
      const e = await payFetch(`${liar.url}/paid`).then(() => null, (x) => x);
      assert.equal(e?.code, 'PAYMENT_REJECTED_BY_SERVER', e?.message);
      assert.match(e.message, /seller's word|may still execute until block/);
      assert.equal(e.receipt.chain, null, 'the chain has not executed it');
      // The next payment, to an honest seller, takes the refused nonce and is served.
      const ok = await payFetch(`${target}/paid`);
      assert.equal(ok.status, 200);
      assert.equal(await settled(before, PRICE), PRICE);
    } finally {
      await liar.close();
    }
  });
}

test('v2: a seller that refuses and cashes the payment 300 ms later: the chain sees it, PAID_NOT_SERVED', async () => {
  const r = await startSellerProxy(v2.url, (req, res, forward, send) => {
    send({ status: 402, headers: { 'content-type': 'application/json' }, body: '{"error":"refused"}' });
    setTimeout(() => forward().catch(() => {}), 300);
  });
  try {
    const before = await balance();
    // The facilitator settles and waits for execution after the 402: on a loaded machine that
    // takes longer than the default 3 s wait for the chain's verdict.
    const e = await wrapFetchWithPayment(fetch, await payer(), { ...options, confirmWaitMs: 15_000 })(`${r.url}/paid`).then(() => null, (x) => x);
    assert.equal(e?.code, 'PAID_NOT_SERVED', e?.message);
    assert.equal(e.receipt.chain.status, 'executed');
    assert.equal(await settled(before, PRICE), PRICE);
  } finally {
    await r.close();
  }
});

test('v2: a refused payment cashed after it was reported: the next payment, which lost its nonce to it, is signed again and served', async () => {
  let cash;
  const r = await startSellerProxy(v2.url, (req, res, forward, send) => {
    send({ status: 402, headers: { 'content-type': 'application/json' }, body: '{"error":"refused"}' });
    cash = forward;
  });
  // The honest seller is slow to receive: the refusing one cashes first.
  const h = await startSellerProxy(v2.url, async (req, res, forward, send) => {
    if (cash) { const c = cash; cash = null; await c(); }
    send(await forward());
  });
  try {
    const key = await payer();
    const ledger = await PaymentLedger.open();
    const payFetch = wrapFetchWithPayment(fetch, key, { ...options, ledger, confirmWaitMs: 0 });
    const before = await balance();
    const refused = await payFetch(`${r.url}/paid`).then(() => null, (x) => x);
    assert.equal(refused?.code, 'PAYMENT_REJECTED_BY_SERVER', refused?.message);
    assert.match(refused.message, /may still execute until block \d+/);
    const served = await payFetch(`${h.url}/paid`);
    assert.equal(served.status, 200, 'served after signing again');
    assert.equal(await settled(before, 2n * PRICE), 2n * PRICE, 'the refusing seller cashed one, the honest one was paid one');
    const nonces = h.paidHeaders().map((x) => JSON.parse(Buffer.from(x, 'base64').toString()).payload.transaction.nonce);
    assert.equal(new Set(nonces).size, 2, `the honest seller saw the lost nonce, then a fresh one: ${nonces}`);
    // The ledger knows the refusing seller cashed the payment it refused.
    await waitUntil(async () => ledger.entries({ url: `${r.url}/paid` })[0]?.stage === 'executed', { timeoutMs: 8000 });
    const [cashed] = ledger.entries({ url: `${r.url}/paid` });
    assert.equal(cashed.chain.status, 'executed');
    assert.ok(cashed.notes.some((n) => /refused or did not answer, and the payment executed/.test(n)), cashed.notes.join('; '));
  } finally {
    await r.close();
    await h.close();
  }
});

for (const version of [1, 2]) test(`v${version}: a front-running proxy submits the captured payment first → never paid twice (v2: PAID_NOT_SERVED)`, async () => {
  const mitm = await startSellerProxy(version === 2 ? v2.url : v1.url, async (req, res, forward, send) => {
    await submitCaptured(api, req.headers['payment-signature'] ?? req.headers['x-payment']);
    send(await forward());
  });
  try {
    const before = await balance();
    const outcome = await wrapFetchWithPayment(fetch, await payer(), options)(`${mitm.url}/paid`).then((r) => r, (x) => x);
    if (version === 2) {
      assert.equal(outcome?.code, 'PAID_NOT_SERVED', outcome?.message);
    } else if (outcome instanceof Error) {
      // The reference server refuses (403, its own submission "stale"), or serves: either
      // way the chain executed the one payment.
      assert.equal(outcome.code, 'PAID_NOT_SERVED', outcome.message);
    } else {
      assert.equal(outcome.status, 200);
    }
    assert.equal(await settled(before, PRICE), PRICE);
  } finally {
    await mitm.close();
  }
});
