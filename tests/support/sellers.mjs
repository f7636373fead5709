// Misbehaving sellers on the local chain, for the client's regression corpus. Each stands in
// front of a real seller: v1 the reference x402-vara Express seller (reference-server.mjs),
// v2 the strict @x402 seller with the polkadot-js facilitator (x402-v2-server.mjs). What can
// be real is: the 402 offers are the real seller's, a settlement is its facilitator's, and a
// payment a seller "cashes" itself is submitted to the chain and waited for. Kinds:
//   honest             forwards everything (the control)
//   trickle            the `at` body ('402' | 'paid' | 'error'), one byte every `intervalMs`
//   huge               the `at` body, `bytes` long (64 MiB; `contentLength: true` announces it)
//   endless            the `at` body, never ending
//   lying-402          a paid request: 402 with a receipt claiming success; nothing submitted
//   lying-200          a paid request: 200 with a success receipt; nothing submitted
//   refuse-and-submit  a paid request: 402 "refused"; `delayMs` (300) later it submits the payment
//   settle-then-500    the real seller settles; the buyer gets 500 (the receipt only with `receipt`)
//   price-change       offers `price`; the paid request meets the real seller at `newPrice`
//   front-run          submits the captured payment, waits until it executed, then forwards it
//   hang               a paid request is never answered
//   redirect           a paid request: 307 to another origin (`target`), which records it
//   drop-after-settle  the real seller settles; the buyer's connection is dropped unanswered
// 'error' bodies answer the paid request `errorStatus` (500) without forwarding it.
//
// startSeller(kind, { chain, version: 1|2, price, payTo, ... }) →
//   { url (the paid resource), origin, seen, submitted, target?, upstream, drained(), stop() }
// `seen`: every request it received, its payment header decoded; `submitted`: what it sent to
// the chain itself ({ txHash } or { error }); `drained()` waits for those submissions.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { startReferenceServer } from './reference-server.mjs';
import { startV2Server } from './x402-v2-server.mjs';
import { extrinsicOf, submitAndWait } from './vara-facilitator.mjs';

export const KINDS = [
  'honest', 'trickle', 'huge', 'endless', 'lying-402', 'lying-200', 'refuse-and-submit', 'settle-then-500',
  'price-change', 'front-run', 'hang', 'redirect', 'drop-after-settle',
];

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-expose-headers': 'PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE',
};
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);
const decode = (header) => JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64');

/** The payment header of a request, either version, or null. */
export function paymentOf(headers) {
  return headers['payment-signature'] ?? headers['x-payment'] ?? null;
}

/** Submits a captured payment header's extrinsic; resolves to its hash once it executed. */
export async function submitCaptured(chain, header) {
  const { transaction, signature } = decode(header).payload;
  const api = await chain.api();
  return submitAndWait(api, extrinsicOf(api, transaction, signature));
}

async function startUpstream({ chain, version, price, payTo }) {
  if (version === 1) return startReferenceServer({ wsUrl: chain.wsUrl, payTo, price: String(price) });
  if (version === 2) return startV2Server({ api: await chain.api(), genesisHash: chain.genesisHash, payTo, price });
  throw new Error(`version must be 1 or 2, got ${version}`);
}

/** Sends `body` followed by `pad` spaces, one byte every `intervalMs`, until done or closed. */
function trickle(res, body, { intervalMs, bytes }) {
  const data = Buffer.concat([body, Buffer.alloc(Math.max(0, bytes - body.length), ' ')]);
  res.flushHeaders();
  let at = 0;
  const timer = setInterval(() => {
    if (at >= data.length) { clearInterval(timer); res.end(); return; }
    res.write(data.subarray(at, at + 1));
    at += 1;
  }, intervalMs);
  res.on('close', () => clearInterval(timer));
}

/** Sends `body`, then spaces up to `bytes` in total (forever when `bytes` is Infinity), minding backpressure. */
function flood(res, body, bytes) {
  const block = Buffer.alloc(64 * 1024, ' ');
  let sent = 0, closed = false;
  res.on('close', () => { closed = true; });
  const pump = () => {
    while (!closed) {
      if (sent >= bytes) { res.end(); return; }
      const chunk = sent === 0 ? body : block.subarray(0, Math.min(block.length, bytes - sent));
      sent += chunk.length;
      if (!res.write(chunk)) { res.once('drain', pump); return; }
    }
  };
  pump();
}

export async function startSeller(kind, options) {
  if (!KINDS.includes(kind)) throw new Error(`unknown seller kind ${kind} (known: ${KINDS.join(', ')})`);
  const {
    chain, version = 1, price, payTo, at = 'paid', intervalMs = 200, delayMs = 300, errorStatus = 500,
    contentLength = false, receipt = false, targetStatus = 200,
  } = options;
  const bytes = kind === 'endless' ? Infinity : options.bytes ?? (kind === 'trickle' ? 100_000 : 64 * 1024 * 1024);
  const newPrice = options.newPrice ?? BigInt(price) * 2n;
  const upstream = await startUpstream({ chain, version, payTo, price: kind === 'price-change' ? newPrice : price });
  const seen = [], submitted = [], pending = new Set(), sockets = new Set();
  let target;

  /** The real seller's answer to this request (`withPayment: false` strips its payment). */
  async function forward(req, body, { withPayment = true } = {}) {
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
    if (!withPayment) { delete headers['x-payment']; delete headers['payment-signature']; }
    const answer = await fetch(upstream.url + req.url, {
      method: req.method, headers, body: body.length ? body : undefined, redirect: 'manual',
    });
    const out = {};
    answer.headers.forEach((v, k) => { if (!HOP.has(k)) out[k] = v; });
    return { status: answer.status, headers: out, body: Buffer.from(await answer.arrayBuffer()) };
  }

  /** The real seller's 402 offer, with the amount changed to `amount` when given. */
  async function offer(req, body, amount) {
    const answer = await forward(req, body, { withPayment: false });
    if (amount === undefined || answer.status !== 402) return answer;
    if (answer.headers['payment-required']) {
      const required = decode(answer.headers['payment-required']);
      for (const a of required.accepts) a.amount = String(amount);
      answer.headers['payment-required'] = encode(required);
    } else {
      const required = JSON.parse(answer.body);
      for (const a of required.accepts) a.maxAmountRequired = String(amount);
      answer.body = Buffer.from(JSON.stringify(required));
    }
    return answer;
  }

  const reply = (res, { status, headers = {}, body = Buffer.alloc(0) }) =>
    res.writeHead(status, { ...headers, ...CORS, 'content-length': body.length }).end(body);

  /** Sends `answer` with its body trickled, huge or endless, as the kind says. */
  function misbehave(res, { status, headers }, body) {
    const head = { 'content-type': 'application/json', ...headers, ...CORS };
    if (kind === 'huge' && contentLength) head['content-length'] = Math.max(bytes, body.length);
    res.writeHead(status, head);
    if (kind === 'trickle') trickle(res, body, { intervalMs, bytes });
    else flood(res, body, bytes);
  }

  function submitLater(header, delay) {
    const job = new Promise((r) => setTimeout(r, delay))
      .then(() => submitCaptured(chain, header))
      .then((txHash) => submitted.push({ txHash }), (e) => submitted.push({ error: e.message, reason: e.reason }));
    pending.add(job);
    job.finally(() => pending.delete(job));
    return job;
  }

  /** A receipt claiming success for a payment nobody submitted. */
  function lyingReceipt(header) {
    const txHash = '0x' + createHash('sha256').update(header).digest('hex');
    if (version === 1) return { 'x-payment-response': txHash }; // the reference's form: the bare hash
    const payload = decode(header);
    return { 'payment-response': encode({ success: true, transaction: txHash, network: payload.accepted?.network, payer: payload.payload.transaction.address }) };
  }

  async function handle(req, res, body) {
    const header = paymentOf(req.headers);
    let payment = null;
    try { payment = header && decode(header); } catch {}
    seen.push({ method: req.method, path: req.url, paid: Boolean(header), header, payment, headers: { ...req.headers }, at: Date.now() });
    if (req.method === 'OPTIONS') return reply(res, { status: 204 });
    const targeted = ['trickle', 'huge', 'endless'].includes(kind);
    if (!header) {
      if (targeted && at === '402') {
        const answer = await forward(req, body);
        return misbehave(res, answer, answer.body);
      }
      return reply(res, await offer(req, body, kind === 'price-change' ? price : undefined));
    }
    switch (kind) {
      case 'trickle': case 'huge': case 'endless': {
        if (at === 'error') return misbehave(res, { status: errorStatus, headers: {} }, Buffer.from('{"error":"the seller failed"}'));
        const answer = await forward(req, body);
        return at === 'paid' ? misbehave(res, answer, answer.body) : reply(res, answer);
      }
      case 'lying-402': {
        const answer = await offer(req, body);
        return reply(res, { ...answer, headers: { ...answer.headers, ...lyingReceipt(header) } });
      }
      case 'lying-200':
        return reply(res, { status: 200, headers: { 'content-type': 'application/json', ...lyingReceipt(header) }, body: Buffer.from('{"ok":true,"lie":true}') });
      case 'refuse-and-submit': {
        const answer = await offer(req, body);
        if (version === 1) answer.body = Buffer.from(JSON.stringify({ ...JSON.parse(answer.body), error: 'refused' }));
        reply(res, answer);
        submitLater(header, delayMs);
        return;
      }
      case 'settle-then-500': {
        const answer = await forward(req, body);
        const kept = receipt ? Object.fromEntries(Object.entries(answer.headers).filter(([k]) => /payment-response/.test(k))) : {};
        return reply(res, { status: 500, headers: { 'content-type': 'application/json', ...kept }, body: Buffer.from('{"error":"internal error"}') });
      }
      case 'price-change':
        // The reference v1 seller does not compare the signed amount with its price (its
        // verify gets no requirements): it would settle the old price, so it gets the request
        // without the payment and answers with its new offer. The v2 facilitator refuses it.
        return reply(res, version === 1 ? await offer(req, body) : await forward(req, body));
      case 'front-run':
        await submitLater(header, 0);
        return reply(res, await forward(req, body));
      case 'hang':
        return;
      case 'redirect':
        return reply(res, { status: 307, headers: { location: `${target.url}${req.url}` } });
      case 'drop-after-settle':
        await forward(req, body);
        req.socket.destroy();
        return;
      default:
        return reply(res, await forward(req, body));
    }
  }

  const serve = (handler) => http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    try {
      await handler(req, res, Buffer.concat(chunks));
    } catch (e) {
      if (!res.headersSent) res.writeHead(502, CORS).end(String(e?.message ?? e)); else res.destroy();
    }
  });
  const listen = async (server) => {
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${server.address().port}`;
  };

  if (kind === 'redirect') {
    const received = [];
    const server = serve(async (req, res, body) => {
      received.push({ method: req.method, path: req.url, header: paymentOf(req.headers), headers: { ...req.headers }, body: body.toString('utf8') });
      if (req.method === 'OPTIONS') return reply(res, { status: 204 });
      reply(res, { status: targetStatus, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"elsewhere":true}') });
    });
    target = { url: await listen(server), seen: received, server };
  }
  const server = serve(handle);
  const origin = await listen(server);
  return {
    kind, version, url: `${origin}/paid`, origin, seen, submitted, target, upstream, price: BigInt(price), newPrice,
    /** Resolves once every payment this seller submitted itself has executed or failed. */
    async drained() { while (pending.size) await Promise.all(pending); },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
      if (target) await new Promise((r) => target.server.close(r));
      await Promise.allSettled(pending);
      await upstream.stop();
    },
  };
}
