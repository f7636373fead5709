// A forwarding HTTP proxy in front of a real server, for the cases the real server cannot be
// made to produce: `decide(req, body)` may answer instead of forwarding (a server refusing one
// payment, a redirect), and every paid request's X-PAYMENT header is recorded in arrival order.
import http from 'node:http';

export async function startProxy(target, { decide = () => null } = {}) {
  const paid = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    if (req.headers['x-payment']) paid.push(req.headers['x-payment']);
    const answer = await decide(req, Buffer.concat(chunks));
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body ?? {}));
      return;
    }
    const headers = { ...req.headers };
    delete headers.host;
    const upstream = await fetch(target + req.url, {
      method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const out = {};
    upstream.headers.forEach((v, k) => { if (k !== 'content-encoding' && k !== 'content-length' && k !== 'transfer-encoding') out[k] = v; });
    res.writeHead(upstream.status, out).end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    paid,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

/** A JSON-RPC "node" that accepts connections and never answers. */
export async function startHangingNode() {
  const sockets = new Set();
  const server = http.createServer(() => {});
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  let requests = 0;
  server.on('request', () => { requests += 1; });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests: () => requests,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}
