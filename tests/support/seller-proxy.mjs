// A forwarding proxy in front of a real seller, for the faults and misbehaviours a real
// seller cannot be asked to produce (a dropped answer, a refusal, a redirect, a front-runner).
// `onPaid(req, res, forward, send)` handles each paid request (one carrying a payment
// header): `forward()` sends it on to the seller and resolves to its answer
// `{ status, headers, body }`, `send(answer)` writes an answer back. Other requests are
// forwarded as they are. `seen` lists every request with its payment header.
import http from 'node:http';

export const paymentHeaderOf = (req) => req.headers['payment-signature'] ?? req.headers['x-payment'] ?? null;

export async function startSellerProxy(target, onPaid) {
  const seen = [];
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const paid = paymentHeaderOf(req);
    seen.push({ url: req.url, paid });
    const forward = async () => {
      const headers = { ...req.headers };
      delete headers.host;
      const up = await fetch(target + req.url, {
        method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined, redirect: 'manual',
      });
      const out = {};
      up.headers.forEach((v, k) => { if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(k)) out[k] = v; });
      return { status: up.status, headers: out, body: Buffer.from(await up.arrayBuffer()) };
    };
    const send = (a) => { if (!res.headersSent) res.writeHead(a.status, a.headers ?? {}).end(a.body ?? ''); };
    try {
      if (paid && onPaid) return await onPaid(req, res, forward, send);
      send(await forward());
    } catch (e) {
      send({ status: 502, body: String(e?.message ?? e) });
    }
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`, seen,
    paidHeaders: () => seen.filter((s) => s.paid).map((s) => s.paid),
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}

/** Submits a captured payment header (either version) to the chain itself, as a
 *  front-runner or a seller cashing a payment it refused would; resolves to the tx hash once
 *  it is in a block (or rejects). */
export async function submitCaptured(api, header) {
  const decoded = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  const { transaction, signature } = decoded.payload;
  const tx = api.tx(api.registry.createType('Call', transaction.method)).addSignature(transaction.address, signature, transaction);
  return new Promise((resolve, reject) => {
    tx.send((r) => {
      if (r.status.isInBlock) resolve(tx.hash.toHex());
      if (r.status.isInvalid || r.status.isDropped) reject(new Error(`pool: ${r.status.type}`));
    }).catch(reject);
  });
}
