// The misbehaving-seller corpus (tests/support/sellers.mjs) checked against the chain: each
// kind, in front of the real v1 (reference x402-vara) and v2 (@x402 + polkadot-js
// facilitator) sellers on the local chain, does what it says: what it answers a real signed
// payment, and what the chain then shows (who was paid, whose nonce moved). The buyer here is
// the raw protocol (fetch + createPaymentHeader); how the client reports these sellers is
// asserted elsewhere, and the crash and limit cases in no-crash.test.mjs.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { wasm } from '../support/wasm-pkg.mjs';
import { startChain, waitUntil, VARA } from '../support/local-chain.mjs';
import { startSeller, KINDS } from '../support/sellers.mjs';

const PRICE = 10_000_000_000n; // 0.01 VARA
const key = (path) => wasm.Keypair.fromSuri(`//Alice//sellers//${path}`, { allowDevelopmentKeys: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let chain, options;
const sellers = [];

before(async () => {
  chain = await startChain();
  options = { rpcUrls: { 'vara-testnet': chain.httpUrl }, genesisHashes: { 'vara-testnet': chain.genesisHash } };
});
after(async () => {
  // One after another: each v1 seller closes the reference seller's shared connection, and a
  // concurrent stop would open it again behind the other's back (left reconnecting forever).
  for (const s of sellers) await s.stop().catch(() => {});
  await chain?.stop();
});

/** A seller of `kind` selling to its own funded account; `payer` is a funded account of its own too. */
async function setup(kind, version, extra = {}) {
  const payTo = key(`${kind}//${version}//seller`).address;
  const payer = key(`${kind}//${version}//payer`);
  await chain.fund(payTo, 100n * VARA);
  await chain.fund(payer.address, 1000n * VARA);
  const seller = await startSeller(kind, { chain, version, price: PRICE, payTo, ...extra });
  sellers.push(seller);
  return { seller, payer, payTo, balance: () => chain.freeBalance(payTo), nonce: () => chain.nonce(payer.address) };
}

/** The offer, a payment signed for it, and the seller's answer to the paid request. */
async function pay(seller, payer, init = {}) {
  const first = await fetch(seller.url);
  assert.equal(first.status, 402);
  const requirements = first.headers.get('payment-required') ?? await first.text();
  const created = await wasm.createPaymentHeader(requirements, payer, options);
  const paid = await fetch(seller.url, { redirect: 'manual', ...init, headers: { [created.headerName]: created.header } });
  return { requirements, created, paid };
}

const receiptOf = (response) => response.headers.get('payment-response') ?? response.headers.get('x-payment-response');
const amountOf = (requirements) => {
  const offer = requirements.startsWith('{') ? JSON.parse(requirements) : JSON.parse(Buffer.from(requirements, 'base64').toString());
  return BigInt(offer.accepts[0].maxAmountRequired ?? offer.accepts[0].amount);
};
/** Nothing executed: the seller's balance and the payer's nonce stay, a while after the answer. */
async function nothingExecuted(s, balance, nonce) {
  await sleep(1500);
  assert.equal(await s.balance(), balance);
  assert.equal(await s.nonce(), nonce);
}
/** Exactly one payment of the price executed. */
async function paidOnce(s, balance, nonce) {
  assert.ok(await waitUntil(async () => (await s.balance()) !== balance), 'the seller was paid');
  await sleep(500);
  assert.equal(await s.balance(), balance + PRICE);
  assert.equal(await s.nonce(), nonce + 1);
}

test('every kind is covered here', () => {
  assert.deepEqual(KINDS, ['honest', 'trickle', 'huge', 'endless', 'lying-402', 'lying-200', 'refuse-and-submit', 'settle-then-500',
    'price-change', 'front-run', 'hang', 'redirect', 'drop-after-settle']);
});

for (const version of [1, 2]) {
  describe(`v${version}`, () => {
    test(`v${version} honest: 200 with the real receipt; paid once; it saw the unpaid and the paid request`, async () => {
      const s = await setup('honest', version);
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      const { paid, created } = await pay(s.seller, s.payer);
      assert.equal(paid.status, 200);
      assert.ok(receiptOf(paid));
      await paidOnce(s, balance, nonce);
      assert.deepEqual(s.seller.seen.map((r) => r.paid), [false, true]);
      assert.equal(s.seller.seen[1].header, created.header);
    });

    test(`v${version} trickle: the 402 body comes one byte per interval`, async () => {
      const s = await setup('trickle', version, { at: '402', intervalMs: 100 });
      const controller = new AbortController();
      const answer = await fetch(s.seller.url, { signal: controller.signal });
      assert.equal(answer.status, 402);
      const reader = answer.body.getReader();
      let bytes = 0;
      const t0 = Date.now();
      while (Date.now() - t0 < 1000) bytes += (await reader.read()).value.length;
      controller.abort();
      await reader.closed.catch(() => {});
      assert.ok(bytes >= 5 && bytes <= 15, `${bytes} bytes in 1 s`);
    });

    test(`v${version} trickle at 'paid': the real seller settles, the paid body trickles`, async () => {
      const s = await setup('trickle', version, { at: 'paid', intervalMs: 100 });
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      const controller = new AbortController();
      const { paid } = await pay(s.seller, s.payer, { signal: controller.signal });
      assert.equal(paid.status, 200);
      assert.ok(receiptOf(paid));
      const first = await paid.body.getReader().read();
      assert.equal(first.value.length, 1);
      controller.abort();
      await paidOnce(s, balance, nonce);
    });

    test(`v${version} huge and endless: the announced length, and bytes without end`, async () => {
      const huge = await setup('huge', version, { at: 'error', contentLength: true, bytes: 50_000_000 });
      const { paid } = await pay(huge.seller, huge.payer);
      assert.equal(paid.status, 500);
      assert.equal(paid.headers.get('content-length'), '50000000');
      await paid.body.cancel();
      const endless = await setup('endless', version, { at: '402' });
      const answer = await fetch(endless.seller.url);
      assert.equal(answer.status, 402);
      assert.equal(answer.headers.get('content-length'), null);
      const reader = answer.body.getReader();
      let bytes = 0;
      while (bytes < 4_000_000) bytes += (await reader.read()).value.length;
      await reader.cancel();
    });

    test(`v${version} lying-402: 402 with a receipt claiming success; nothing executes`, async () => {
      const s = await setup('lying-402', version);
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      const { paid } = await pay(s.seller, s.payer);
      assert.equal(paid.status, 402);
      assert.equal(wasm.parsePaymentResponse(receiptOf(paid)).success, true);
      await nothingExecuted(s, balance, nonce);
    });

    test(`v${version} lying-200: 200 with a success receipt; nothing executes`, async () => {
      const s = await setup('lying-200', version);
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      const { paid } = await pay(s.seller, s.payer);
      assert.equal(paid.status, 200);
      const receipt = wasm.parsePaymentResponse(receiptOf(paid));
      assert.equal(receipt.success, true);
      await nothingExecuted(s, balance, nonce);
    });

    test(`v${version} refuse-and-submit: 402 "refused", then the refused payment executes`, async () => {
      const s = await setup('refuse-and-submit', version);
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      const { paid } = await pay(s.seller, s.payer);
      assert.equal(paid.status, 402);
      assert.equal(receiptOf(paid), null);
      assert.equal(await s.balance(), balance, 'not yet paid when it answered');
      await s.seller.drained();
      assert.match(s.seller.submitted[0]?.txHash ?? JSON.stringify(s.seller.submitted), /^0x[0-9a-f]{64}$/);
      await paidOnce(s, balance, nonce);
    });

    test(`v${version} settle-then-500: 500 without a receipt, yet the payment executed`, async () => {
      const s = await setup('settle-then-500', version);
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      const { paid } = await pay(s.seller, s.payer);
      assert.equal(paid.status, 500);
      assert.equal(receiptOf(paid), null);
      await paidOnce(s, balance, nonce);
    });

    test(`v${version} price-change: offers the price, then refuses the paid request with a new price; nothing executes`, async () => {
      const s = await setup('price-change', version);
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      const { paid, requirements } = await pay(s.seller, s.payer);
      assert.equal(amountOf(requirements), PRICE);
      assert.equal(paid.status, 402);
      assert.equal(amountOf(paid.headers.get('payment-required') ?? await paid.text()), 2n * PRICE);
      await nothingExecuted(s, balance, nonce);
    });

    test(`v${version} front-run: the proxy's submission executes, the real seller then refuses; paid once`, async () => {
      const s = await setup('front-run', version);
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      const { paid } = await pay(s.seller, s.payer);
      assert.ok(paid.status >= 400, `status ${paid.status}`);
      assert.match(s.seller.submitted[0]?.txHash ?? JSON.stringify(s.seller.submitted), /^0x[0-9a-f]{64}$/);
      await paidOnce(s, balance, nonce);
    });

    test(`v${version} hang: the paid request is received and never answered; nothing executes`, async () => {
      const s = await setup('hang', version);
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      await assert.rejects(pay(s.seller, s.payer, { signal: AbortSignal.timeout(1000) }), (e) => e.name === 'TimeoutError');
      assert.equal(s.seller.seen.filter((r) => r.paid).length, 1);
      await nothingExecuted(s, balance, nonce);
    });

    test(`v${version} redirect: 307 to another origin, which receives the payment header when followed`, async () => {
      const s = await setup('redirect', version);
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      const { paid, created } = await pay(s.seller, s.payer);
      assert.equal(paid.status, 307);
      assert.equal(paid.headers.get('location'), `${s.seller.target.url}/paid`);
      const followed = await fetch(s.seller.url, { headers: { [created.headerName]: created.header } });
      assert.deepEqual(await followed.json(), { elsewhere: true });
      assert.equal(s.seller.target.seen.at(-1).header, created.header, 'Node\'s fetch carries the payment across origins');
      await nothingExecuted(s, balance, nonce);
    });

    test(`v${version} drop-after-settle: the connection drops unanswered after the payment executed`, async () => {
      const s = await setup('drop-after-settle', version);
      const [balance, nonce] = [await s.balance(), await s.nonce()];
      await assert.rejects(pay(s.seller, s.payer), (e) => e.name === 'TypeError'); // fetch failed: the socket closed
      await paidOnce(s, balance, nonce);
    });
  });
}
