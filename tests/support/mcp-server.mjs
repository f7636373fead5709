// An MCP server selling tools for VARA, as a seller with @x402/mcp runs one: @modelcontextprotocol/sdk's
// McpServer, each payment verified and settled by @x402/core's x402ResourceServer with the Vara
// `exact` scheme server and the polkadot-js facilitator of the v2 suites, on the chain behind it.
// @x402/mcp is not on this registry: `paymentWrapper` does what its `createPaymentWrapper` does
// (read from its public source, x402-foundation/x402 typescript/packages/mcp): no payment, or
// one that matches nothing or fails verification → a tool result with `isError: true` and the
// `PaymentRequired` in `structuredContent` and `content[0].text`; a verified one → the handler
// runs, then the payment is settled and the settlement returned in
// `_meta["x402/payment-response"]` (a handler error is returned unsettled; a settlement that
// throws → `PaymentRequired` again, without the tool's content; one that @x402/core reports
// failed, `success: false`, is returned in `_meta` with the content, as the wrapper does).
//
// Served: tool `joke` (paid, asks in a tool result), tool `joke_elicit` (paid, asks with the
// JSON-RPC error -32042 and the requirements in `data.x402`, the form McpServer passes through),
// resource `vara://jokes/daily` (paid, asks with the draft transport's JSON-RPC error 402),
// tool `runs` (free: how often each paid handler ran). The count lives in the process. A joke
// about "taxes" fails in the handler (a tool error: the payment is not settled).
//
// Library: createVaraResourceServer(config), paymentWrapper(…), createPaidMcpServer(…),
//          startMcpHttpServer(config) (Streamable HTTP, stateless, JSON answers).
//          serveStdio(build): a stdio server, its chain and price from X402_MCP_WS_URL,
//          X402_MCP_GENESIS, X402_MCP_PAY_TO, X402_MCP_PRICE (planck) (`stdioEnv`).
// CLI:     node tests/support/mcp-server.mjs   the server above over stdio.
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { x402ResourceServer } from '@x402/core/server';
import { z } from 'zod';
import { VaraExactServer, VARA_TESTNET } from './vara-exact-server.mjs';
import { createVaraFacilitator } from './vara-facilitator.mjs';

export const PAYMENT_META_KEY = 'x402/payment';
export const PAYMENT_RESPONSE_META_KEY = 'x402/payment-response';

/**
 * The seller's x402 resource server and the requirements of one price: `api` is a polkadot-js
 * ApiPromise (or a function making one), `genesisHash` the chain's.
 */
export async function createVaraResourceServer({ api, genesisHash, payTo, price, network = VARA_TESTNET }) {
  const facilitator = createVaraFacilitator({ networks: { [network]: { api, genesisHash } } });
  const resourceServer = new x402ResourceServer(facilitator).register(network, new VaraExactServer());
  await resourceServer.initialize();
  const accepts = await resourceServer.buildPaymentRequirements({
    scheme: 'exact', network, payTo, price: { amount: String(price), asset: 'vara' }, maxTimeoutSeconds: 120,
  });
  return { resourceServer, accepts };
}

const isPaymentPayload = (v) => typeof v === 'object' && v !== null && 'x402Version' in v && 'payload' in v;

/**
 * `paymentWrapper(resourceServer, { accepts, resource, ask })` → `paid(handler)`: the handler
 * (an McpServer tool or resource callback, whose last argument is the request's `extra`) runs
 * only once its payment verified. `ask` says how payment is asked for: 'result' (a tool result,
 * as @x402/mcp's wrapper does), or a JSON-RPC error code (402, -32042) thrown with the
 * requirements in `data` (`data.x402` for -32042).
 */
export function paymentWrapper(resourceServer, { accepts, resource, ask = 'result', onSettled = () => {} }) {
  const required = (error, payment) => resourceServer.createPaymentRequiredResponse(accepts, resource, error, undefined, undefined, payment);
  const askFor = async (error, payment) => {
    const paymentRequired = await required(error, payment);
    if (ask === 'result') {
      return { isError: true, structuredContent: paymentRequired, content: [{ type: 'text', text: JSON.stringify(paymentRequired) }] };
    }
    throw new McpError(ask, error, ask === -32042 ? { x402: paymentRequired } : paymentRequired);
  };
  return (handler) => async (...args) => {
    const payment = args.at(-1)?._meta?.[PAYMENT_META_KEY];
    if (!isPaymentPayload(payment)) return askFor('Payment required to access this resource');
    const offered = await required(undefined);
    const requirements = resourceServer.findMatchingRequirements(offered.accepts, payment);
    if (!requirements) return askFor('No matching payment requirements found');
    const verified = await resourceServer.verifyPayment(payment, requirements);
    if (!verified.isValid) return askFor(verified.invalidReason || 'Payment verification failed', payment);
    const result = await handler(...args);
    if (result.isError) return result;
    let settlement;
    try {
      settlement = await resourceServer.settlePayment(payment, requirements);
    } catch (e) {
      return askFor(`Payment settlement failed: ${e.message}`);
    }
    onSettled(settlement);
    return { ...result, _meta: { ...result._meta, [PAYMENT_RESPONSE_META_KEY]: settlement } };
  };
}

/** Counts shared by every McpServer of one seller (the HTTP server makes one per request). */
export const newRuns = () => ({ joke: 0, joke_elicit: 0, daily: 0, settled: [] });

/** An McpServer with the paid tools and resource above, counting into `runs`; `onRun({ name,
 *  topic })` is awaited in a paid joke's handler, after its payment verified. */
export function createPaidMcpServer({ resourceServer, accepts, runs, onRun }) {
  const server = new McpServer({ name: 'vara-jokes', version: '1.0.0' });
  const onSettled = (s) => { if (s.success) runs.settled.push(s); };
  const wrap = (url, description, ask) => paymentWrapper(resourceServer, { accepts, ask, onSettled, resource: { url, description, mimeType: 'text/plain' } });
  const joke = (name) => async ({ topic }) => {
    runs[name] += 1;
    await onRun?.({ name, topic });
    if (topic === 'taxes') return { isError: true, content: [{ type: 'text', text: 'No jokes about taxes.' }] };
    return { content: [{ type: 'text', text: `Why did the ${topic} pay in VARA? Run ${runs[name]} of ${name}.` }] };
  };
  server.registerTool('joke', { description: 'A paid joke (asks for payment in a tool result)', inputSchema: { topic: z.string() } },
    wrap('mcp://tool/joke', 'A paid joke', 'result')(joke('joke')));
  server.registerTool('joke_elicit', { description: 'A paid joke (asks with JSON-RPC error -32042)', inputSchema: { topic: z.string() } },
    wrap('mcp://tool/joke_elicit', 'A paid joke', -32042)(joke('joke_elicit')));
  server.registerResource('daily', 'vara://jokes/daily', { description: 'The joke of the day (paid; asks with JSON-RPC error 402)' },
    wrap('vara://jokes/daily', 'The joke of the day', 402)(async (uri) => {
      runs.daily += 1;
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'A VARA walks into a block.' }] };
    }));
  server.registerTool('runs', { description: 'How often each paid handler ran (free)' }, async () => ({
    content: [{ type: 'text', text: JSON.stringify({ joke: runs.joke, joke_elicit: runs.joke_elicit, daily: runs.daily, settled: runs.settled.length }) }],
  }));
  return server;
}

/**
 * Streamable HTTP on 127.0.0.1 (stateless: a server and transport per POST, JSON answers),
 * at `${url}` (path /mcp). Resolves to `{ url, runs, stop }`.
 */
export async function startMcpHttpServer(config) {
  const { createMcpExpressApp } = await import('@modelcontextprotocol/sdk/server/express.js');
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const seller = await createVaraResourceServer(config);
  const runs = newRuns();
  const app = createMcpExpressApp();
  app.post('/mcp', async (req, res) => {
    const server = createPaidMcpServer({ ...seller, runs, onRun: config.onRun });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => { transport.close(); server.close(); });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const http = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  return {
    url: `http://127.0.0.1:${http.address().port}/mcp`, runs,
    async stop() {
      http.closeAllConnections?.();
      await new Promise((r) => http.close(r));
    },
  };
}

/** The environment a stdio server reads (`serveStdio`), for a stdio client's `env`. */
export const stdioEnv = ({ wsUrl, genesisHash, payTo, price }) => ({
  X402_MCP_WS_URL: wsUrl, X402_MCP_GENESIS: genesisHash, X402_MCP_PAY_TO: payTo, X402_MCP_PRICE: String(price),
});
export const serverPath = fileURLToPath(import.meta.url);

/**
 * Serves `build({ resourceServer, accepts })` (an McpServer) on stdin/stdout, the seller's
 * chain and price from `stdioEnv`'s variables; exits when the client closes the connection.
 */
export async function serveStdio(build) {
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const { ApiPromise, WsProvider } = await import('@polkadot/api');
  // stdout carries the protocol: polkadot-js's notices go to stderr.
  console.log = console.info = console.debug = (...a) => console.error(...a);
  const env = process.env;
  let api;
  const connect = () => (api ??= ApiPromise.create({ provider: new WsProvider(env.X402_MCP_WS_URL), noInitWarn: true }));
  const seller = await createVaraResourceServer({ api: connect, genesisHash: env.X402_MCP_GENESIS, payTo: env.X402_MCP_PAY_TO, price: env.X402_MCP_PRICE });
  const transport = new StdioServerTransport();
  transport.onclose = async () => { await (await api)?.disconnect().catch(() => {}); process.exit(0); };
  await build(seller).connect(transport);
}

if (process.argv[1] === serverPath) {
  const runs = newRuns();
  await serveStdio((seller) => createPaidMcpServer({ ...seller, runs }));
}
