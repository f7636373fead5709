// The scripted JSON-RPC node (tests/support/stand-ins.js) served over HTTP on 127.0.0.1 with
// open CORS, for pages (the stand-in extension and the wasm both read it by URL): a runtime
// with CheckMetadataHash, which the local chain does not have.
import http from 'node:http';
import { scriptedRpc } from './scripted-rpc.mjs';

export async function startScriptedRpcServer(options) {
  const rpc = scriptedRpc(options);
  const server = http.createServer(async (req, res) => {
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const answer = await rpc.rpcFetch(`http://${req.headers.host}`, { method: 'POST', body: Buffer.concat(chunks).toString() });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...cors }).end(await answer.text());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const close = () => new Promise((r) => { server.close(r); server.closeAllConnections(); });
  return { url: `http://127.0.0.1:${server.address().port}`, rpc, close };
}
