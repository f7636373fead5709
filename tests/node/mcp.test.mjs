// Paying for MCP tools in VARA (x402-vara-wasm/mcp), offline, against a real stack: the MCP
// server is @modelcontextprotocol/sdk's McpServer over stdio (a child process) and Streamable
// HTTP, its paid tools and resource guarded as @x402/mcp's payment wrapper guards them, each
// payment verified and settled by @x402/core's x402ResourceServer with the polkadot-js Vara
// facilitator of the v2 suites, on the real Vara runtime under chopsticks. The client is the
// SDK's own Client, wrapped. The only stand-in is the redirecting proxy (no real MCP server
// redirects a paid request to another origin on demand).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { startChain, waitUntil, VARA } from '../support/local-chain.mjs';
import { startMcpHttpServer, serverPath, stdioEnv } from '../support/mcp-server.mjs';
import { startProxy } from '../support/proxy.mjs';

const { wrapMCPClientWithPayment, getPaymentReceipt } = await import('../../dist/js/mcp.js');
const { VARA_TESTNET } = await import('../../dist/js/x402.js');

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 20_000_000_000n; // 0.02 VARA
const EVE = wasm.Keypair.fromSuri('//Eve').address;
let chain, alice, options, httpServer;
const clients = {};

/** An MCP client of the SDK, connected over `kind` ('stdio' | 'http') to the paid server. */
async function connect(kind, url = httpServer.url, transportOptions = {}) {
  const client = new Client({ name: 'vara-agent', version: '1.0.0' });
  const transport = kind === 'stdio'
    ? new StdioClientTransport({ command: process.execPath, args: [serverPath], stderr: 'inherit',
      env: { ...process.env, ...stdioEnv({ wsUrl: chain.wsUrl, genesisHash: chain.genesisHash, payTo: BOB, price: PRICE }) } })
    : new StreamableHTTPClientTransport(new URL(url), transportOptions);
  await client.connect(transport);
  return client;
}

/** How often each paid handler ran, and how many payments were settled, as the server counts. */
async function runs(client) {
  return JSON.parse((await client.callTool({ name: 'runs', arguments: {} })).content[0].text);
}

/** A signer that counts what it is asked to sign. */
function countingSigner(key = alice) {
  const signer = { address: key.address, calls: 0, async signPayload(_p, bytes) {
    signer.calls += 1;
    return { signature: '0x01' + Buffer.from(key.sign(bytes)).toString('hex') };
  } };
  return signer;
}

/** Runs `pay`, then expects Bob's balance up by exactly `times` prices. */
async function paysExactly(times, pay) {
  const before = await chain.freeBalance(BOB);
  const result = await pay();
  const after = before + BigInt(times) * PRICE;
  assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) >= after), 'Bob was paid');
  assert.equal(await chain.freeBalance(BOB), after);
  return result;
}

before(async () => {
  [chain] = await Promise.all([startChain(), cryptoWaitReady()]);
  alice = wasm.Keypair.fromSuri('//Alice');
  await Promise.all([chain.fund(alice.address, 1_000_000n * VARA), chain.fund(BOB, 100n * VARA)]);
  // A joke about "drains" empties the payer's account while the tool runs: the payment verified,
  // then cannot execute, and the facilitator's settle reports it failed.
  const onRun = async ({ topic }) => { if (topic === 'drains') await chain.fund(EVE, 1n); };
  httpServer = await startMcpHttpServer({ api: await chain.api(), genesisHash: chain.genesisHash, payTo: BOB, price: PRICE, onRun });
  options = { rpcUrls: { [VARA_TESTNET]: chain.httpUrl }, genesisHashes: { [VARA_TESTNET]: chain.genesisHash } };
  clients.stdio = await connect('stdio');
  clients.http = await connect('http');
});
after(async () => {
  await Promise.all(Object.values(clients).map((c) => c.close().catch(() => {})));
  await httpServer?.stop();
  await chain?.stop();
});

test('unpaid, the tool asks in a tool result: isError, PaymentRequired in structuredContent and content[0].text', async () => {
  const result = await clients.stdio.callTool({ name: 'joke', arguments: { topic: 'cat' } });
  assert.equal(result.isError, true);
  assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent);
  const required = result.structuredContent;
  assert.equal(required.x402Version, 2);
  assert.equal(required.resource.url, 'mcp://tool/joke');
  assert.deepEqual(required.accepts, [{
    scheme: 'exact', network: VARA_TESTNET, amount: String(PRICE), asset: 'vara', payTo: BOB, maxTimeoutSeconds: 120,
    extra: { name: 'VARA', decimals: 12 },
  }]);
  assert.equal((await runs(clients.stdio)).joke, 0, 'the tool did not run unpaid');
});

for (const kind of ['stdio', 'http']) {
  test(`${kind}: a paid tool call pays once, the tool runs once, Bob +price exactly, receipt from _meta`, async () => {
    const client = clients[kind];
    const before = await runs(client);
    const previews = [];
    const signer = countingSigner();
    const paying = wrapMCPClientWithPayment(client, signer, { ...options, onBeforePayment: (p) => { previews.push(p); } });
    const result = await paysExactly(1, () => paying.callTool({ name: 'joke', arguments: { topic: 'cat' } }));
    assert.notEqual(result.isError, true);
    assert.match(result.content[0].text, /^Why did the cat pay in VARA\?/);
    assert.equal(signer.calls, 1);
    const now = await runs(client);
    assert.equal(now.joke, before.joke + 1, 'the tool ran once');
    assert.equal(now.settled, before.settled + 1, 'one payment settled');
    // The consent hook saw the tool's name and arguments with the payment.
    assert.equal(previews.length, 1);
    assert.deepEqual(previews[0].mcp, { method: 'tools/call', name: 'joke', arguments: { topic: 'cat' } });
    assert.deepEqual([previews[0].amount, previews[0].payTo, previews[0].resource], [String(PRICE), BOB, 'mcp://tool/joke']);
    // The settlement came in result._meta["x402/payment-response"]; the receipt reads it.
    const settlement = result._meta['x402/payment-response'];
    assert.equal(settlement.success, true);
    const receipt = getPaymentReceipt(result);
    assert.deepEqual(receipt.settlement, { success: true, txHash: settlement.transaction, networkId: VARA_TESTNET, payer: alice.address });
    assert.equal(receipt.summary.amount, String(PRICE));
    assert.equal(receipt.summary.payer, alice.address);
    assert.deepEqual((await wasm.confirmPayment(receipt, options)).status, 'executed');
    assert.equal(getPaymentReceipt(result).chain.status, 'executed', 'the receipt follows the ledger');
    // A result that was not paid for has none.
    assert.equal(getPaymentReceipt(await paying.callTool({ name: 'runs', arguments: {} })), undefined);
  });
}

test('the JSON-RPC error forms are read: -32042 with data.x402 (a tool), 402 with data (a resource read)', async () => {
  const client = clients.http;
  await assert.rejects(client.callTool({ name: 'joke_elicit', arguments: { topic: 'dog' } }),
    (e) => e.code === -32042 && e.data.x402.accepts[0].amount === String(PRICE));
  await assert.rejects(client.readResource({ uri: 'vara://jokes/daily' }),
    (e) => e.code === 402 && e.data.accepts[0].payTo === BOB && e.data.resource.url === 'vara://jokes/daily');
  const before = await runs(client);
  const previews = [];
  const paying = wrapMCPClientWithPayment(client, alice, { ...options, onBeforePayment: (p) => { previews.push(p.mcp); } });
  const tool = await paysExactly(1, () => paying.callTool({ name: 'joke_elicit', arguments: { topic: 'dog' } }));
  assert.match(tool.content[0].text, /dog/);
  assert.equal(getPaymentReceipt(tool).settlement.success, true);
  const resource = await paysExactly(1, () => paying.readResource({ uri: 'vara://jokes/daily' }));
  assert.equal(resource.contents[0].text, 'A VARA walks into a block.');
  assert.equal(getPaymentReceipt(resource).settlement.txHash, resource._meta['x402/payment-response'].transaction);
  assert.deepEqual(previews, [
    { method: 'tools/call', name: 'joke_elicit', arguments: { topic: 'dog' } },
    { method: 'resources/read', uri: 'vara://jokes/daily' },
  ]);
  const now = await runs(client);
  assert.deepEqual([now.joke_elicit, now.daily, now.settled], [before.joke_elicit + 1, before.daily + 1, before.settled + 2]);
});

test('a refused consent pays nothing: SIGNER_REJECTED, nothing signed, the tool does not run, Bob unchanged', async () => {
  for (const client of [clients.stdio, clients.http]) {
    const before = await runs(client);
    const bob = await chain.freeBalance(BOB);
    const signer = countingSigner();
    for (const onBeforePayment of [() => false, () => { throw new Error('not now'); }]) {
      const paying = wrapMCPClientWithPayment(client, signer, { ...options, onBeforePayment });
      await assert.rejects(paying.callTool({ name: 'joke', arguments: { topic: 'cat' } }), (e) => {
        assert.equal(e.name, 'X402Error');
        assert.equal(e.code, 'SIGNER_REJECTED', e.message);
        return true;
      });
    }
    assert.equal(signer.calls, 0);
    assert.deepEqual(await runs(client), before);
    assert.equal(await chain.freeBalance(BOB), bob);
  }
});

test('a price over maxAmount is refused: AMOUNT_OVER_LIMIT before consent or signing; nothing runs or is paid', async () => {
  const client = clients.stdio;
  const before = await runs(client);
  const bob = await chain.freeBalance(BOB);
  const signer = countingSigner();
  let asked = false;
  const paying = wrapMCPClientWithPayment(client, signer, { ...options, maxAmount: { VARA: String(PRICE - 1n) }, onBeforePayment: () => { asked = true; } });
  await assert.rejects(paying.callTool({ name: 'joke', arguments: { topic: 'cat' } }), { name: 'X402Error', code: 'AMOUNT_OVER_LIMIT' });
  await assert.rejects(paying.readResource({ uri: 'vara://jokes/daily' }), { name: 'X402Error', code: 'AMOUNT_OVER_LIMIT' });
  assert.equal(asked, false);
  assert.equal(signer.calls, 0);
  assert.deepEqual(await runs(client), before);
  assert.equal(await chain.freeBalance(BOB), bob);
});

for (const kind of ['stdio', 'http']) {
  test(`${kind}: 10 concurrent tool calls on one connection all execute: 10 runs, 10 settlements, Bob +10 prices, consecutive nonces`, async (t) => {
    const client = clients[kind];
    const before = await runs(client);
    const nonce = await chain.nonce(alice.address);
    const paying = wrapMCPClientWithPayment(client, alice, options);
    const t0 = performance.now();
    const results = await paysExactly(10, () => Promise.all(Array.from({ length: 10 }, (_, i) =>
      paying.callTool({ name: 'joke', arguments: { topic: `cat ${i}` } }))));
    t.diagnostic(`10 concurrent paid calls over ${kind}: ${(performance.now() - t0).toFixed(0)} ms`);
    results.forEach((r, i) => assert.match(r.content[0].text, new RegExp(`cat ${i} pay`)));
    const nonces = results.map((r) => getPaymentReceipt(r).summary.nonce).sort((a, b) => a - b);
    assert.deepEqual(nonces, Array.from({ length: 10 }, (_, i) => nonce + i));
    assert.equal(new Set(results.map((r) => getPaymentReceipt(r).settlement.txHash)).size, 10);
    const now = await runs(client);
    assert.deepEqual([now.joke, now.settled], [before.joke + 10, before.settled + 10]);
    assert.equal(await chain.nonce(alice.address), nonce + 10);
  });
}

test('a tool that fails after the payment verified is not settled: a typed error with the tool result, nothing lost', async () => {
  const client = clients.http;
  const key = wasm.Keypair.fromSuri('//Dave');
  await chain.fund(key.address, 1000n * VARA);
  const nonce = await chain.nonce(key.address);
  const bob = await chain.freeBalance(BOB);
  const paying = wrapMCPClientWithPayment(client, key, options);
  await assert.rejects(paying.callTool({ name: 'joke', arguments: { topic: 'taxes' } }), (e) => {
    assert.equal(e.name, 'X402Error');
    // The core's word for a seller's 5xx after a payment the chain has not executed.
    assert.equal(e.code, 'SETTLEMENT_FAILED', e.message);
    assert.equal(e.status, 500);
    assert.match(e.message, /No jokes about taxes/);
    assert.equal(e.result.content[0].text, 'No jokes about taxes.');
    assert.equal(e.receipt.summary.nonce, nonce);
    return true;
  });
  assert.equal(await chain.freeBalance(BOB), bob);
  assert.equal(await chain.nonce(key.address), nonce);
  // The unsettled payment's nonce goes to the next one, which executes.
  const result = await paysExactly(1, () => paying.callTool({ name: 'joke', arguments: { topic: 'owl' } }));
  assert.equal(getPaymentReceipt(result).summary.nonce, nonce);
});

test('a paid call answered with payment-required again is PAYMENT_REJECTED_BY_SERVER: nothing runs or is paid, the nonce is reused', async () => {
  // A stand-in between the wrapper and the SDK client edits the payment's `accepted` terms, so
  // the real server matches no requirement and asks again, with a reason.
  const edited = new Proxy(clients.http, {
    get(target, key) {
      if (key !== 'callTool') return Reflect.get(target, key).bind?.(target) ?? Reflect.get(target, key);
      return (params, ...rest) => {
        const payment = params._meta?.['x402/payment'];
        const meta = payment ? { ...params._meta, 'x402/payment': { ...payment, accepted: { ...payment.accepted, amount: '1' } } } : params._meta;
        return target.callTool({ ...params, _meta: meta }, ...rest);
      };
    },
  });
  const key = wasm.Keypair.fromSuri('//Bob//mcp');
  await chain.fund(key.address, 1000n * VARA);
  const nonce = await chain.nonce(key.address);
  const bob = await chain.freeBalance(BOB);
  const before = await runs(clients.http);
  await assert.rejects(wrapMCPClientWithPayment(edited, key, options).callTool({ name: 'joke', arguments: { topic: 'cat' } }), (e) => {
    assert.equal(e.code, 'PAYMENT_REJECTED_BY_SERVER', e.message);
    assert.equal(e.status, 402);
    assert.equal(e.reason, 'No matching payment requirements found');
    assert.equal(e.result.structuredContent.error, 'No matching payment requirements found');
    return true;
  });
  assert.deepEqual(await runs(clients.http), before);
  assert.equal(await chain.freeBalance(BOB), bob);
  const result = await paysExactly(1, () => wrapMCPClientWithPayment(clients.http, key, options).callTool({ name: 'joke', arguments: { topic: 'cat' } }));
  assert.equal(getPaymentReceipt(result).summary.nonce, nonce, 'the refused payment\'s nonce went to the next one');
});

test('a settlement that failed after the tool ran (as @x402/mcp returns it: the content, success: false) is served unpaid', async () => {
  const eve = wasm.Keypair.fromSuri('//Eve');
  await chain.fund(eve.address, 1000n * VARA);
  const bob = await chain.freeBalance(BOB);
  const before = await runs(clients.http);
  // As the fetch wrapper serves a 2xx whatever its receipt claims: the tool's answer came and
  // nothing was paid; the receipt says so.
  const result = await wrapMCPClientWithPayment(clients.http, eve, options).callTool({ name: 'joke', arguments: { topic: 'drains' } });
  assert.match(result.content[0].text, /drains/);
  const receipt = getPaymentReceipt(result);
  assert.equal(receipt.settlement.success, false);
  assert.match(receipt.settlement.error, /transaction_rejected/);
  assert.equal((await runs(clients.http)).joke, before.joke + 1);
  assert.equal((await runs(clients.http)).settled, before.settled);
  assert.equal(await chain.freeBalance(BOB), bob);
});

test('budget and ledger are the core\'s: a budget of one price pays one call; the ledger names the tool', async () => {
  const client = clients.http;
  const ledger = await wasm.PaymentLedger.open();
  const signer = countingSigner(wasm.Keypair.fromSuri('//Charlie'));
  await chain.fund(signer.address, 1000n * VARA);
  const paying = wrapMCPClientWithPayment(client, signer, { ...options, ledger, budget: { VARA: { total: String(PRICE) } } });
  const result = await paysExactly(1, () => paying.callTool({ name: 'joke', arguments: { topic: 'owl' } }));
  await assert.rejects(paying.callTool({ name: 'joke', arguments: { topic: 'owl' } }), { code: 'BUDGET_EXCEEDED' });
  assert.equal(signer.calls, 1);
  const entries = ledger.entries();
  assert.equal(entries.length, 1);
  assert.deepEqual([entries[0].url, entries[0].amount, entries[0].payTo], ['mcp://tool/joke', String(PRICE), BOB]);
  assert.equal(entries[0].id, getPaymentReceipt(result).entryId);
  assert.equal(getPaymentReceipt(result).ledgerId, ledger.ledgerId);
});

test('the payment never reaches another server: a cross-origin redirect of the paid request is not followed', async () => {
  // A stand-in in front of the real server: it forwards everything but a request carrying a
  // payment, which it redirects (307, body kept) to a server that records what reaches it.
  const stolen = [];
  const thief = http.createServer((req, res) => { req.on('data', (d) => stolen.push(String(d))); req.on('end', () => res.end('{}')); });
  await new Promise((r) => thief.listen(0, '127.0.0.1', r));
  const thiefUrl = `http://127.0.0.1:${thief.address().port}/mcp`;
  const proxy = await startProxy(new URL(httpServer.url).origin, {
    decide: (req, body) => (String(body).includes('x402/payment') ? { status: 307, headers: { location: thiefUrl } } : null),
  });
  const client = await connect('http', `${proxy.url}/mcp`);
  try {
    const key = wasm.Keypair.fromSuri('//Ferdie');
    await chain.fund(key.address, 1000n * VARA);
    const nonce = await chain.nonce(key.address);
    const bob = await chain.freeBalance(BOB);
    const before = await runs(client);
    await assert.rejects(wrapMCPClientWithPayment(client, key, options).callTool({ name: 'joke', arguments: { topic: 'fox' } }), (e) => {
      assert.equal(e.name, 'X402Error');
      assert.equal(e.code, 'CROSS_ORIGIN_REDIRECT', e.message);
      assert.match(e.message, /HTTP 307/);
      return true;
    });
    assert.deepEqual(stolen, [], 'nothing reached the other origin');
    assert.deepEqual(await runs(client), before);
    assert.equal(await chain.freeBalance(BOB), bob);
    assert.equal(await chain.nonce(key.address), nonce);
    // A transport told to follow redirects anywhere is refused before anything is signed.
    const follows = await connect('http', `${proxy.url}/mcp`, { redirectPolicy: 'follow' });
    const signer = countingSigner(key);
    await assert.rejects(wrapMCPClientWithPayment(follows, signer, options).callTool({ name: 'joke', arguments: { topic: 'fox' } }),
      { code: 'CROSS_ORIGIN_REDIRECT' });
    assert.equal(signer.calls, 0);
    await follows.close();
  } finally {
    await client.close();
    await proxy.close();
    thief.closeAllConnections?.();
    await new Promise((r) => thief.close(r));
  }
});

test('everything else passes through: free tools, listTools, a caller-made payment in _meta is sent as is', async () => {
  const paying = wrapMCPClientWithPayment(clients.http, alice, options);
  const { tools } = await paying.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['joke', 'joke_elicit', 'runs']);
  assert.equal(typeof (await runs(paying)).joke, 'number');
  // A payment the caller put in _meta itself is not paid again: the server judges it (here: none valid).
  const result = await paying.callTool({ name: 'joke', arguments: { topic: 'cat' }, _meta: { 'x402/payment': { x402Version: 2, payload: {} } } });
  assert.equal(result.isError, true);
  assert.equal(result.structuredContent.error, 'No matching payment requirements found');
  assert.throws(() => wrapMCPClientWithPayment({}, alice, options), { code: 'INVALID_OPTIONS' });
  assert.throws(() => wrapMCPClientWithPayment(clients.http, alice, { ...options, maxAmount: 5 }), { code: 'INVALID_OPTIONS' });
});

test('the CommonJS copy (require) is the same client, its errors the one X402Error class', async () => {
  const { createRequire } = await import('node:module');
  const cjs = createRequire(import.meta.url)(`${repoRoot}/dist/js/mcp.cjs`);
  const signer = countingSigner();
  const paying = cjs.wrapMCPClientWithPayment(clients.http, signer, { ...options, onBeforePayment: () => false });
  await assert.rejects(paying.callTool({ name: 'joke', arguments: { topic: 'cat' } }), (e) => e instanceof wasm.X402Error && e.code === 'SIGNER_REJECTED');
  await assert.rejects(cjs.wrapMCPClientWithPayment(clients.http, signer, { ...options, maxAmount: { VARA: '1' } }).readResource({ uri: 'vara://jokes/daily' }),
    (e) => e instanceof wasm.X402Error && e.code === 'AMOUNT_OVER_LIMIT');
  assert.equal(signer.calls, 0);
});

test('examples/mcp runs in one command: its own chain, the paid server over stdio, one paid call, the seller +0.01 VARA', async () => {
  const out = await new Promise((resolve, reject) => execFile(process.execPath, ['examples/mcp/agent.mjs'], { cwd: repoRoot, timeout: 120_000 },
    (error, stdout, stderr) => (error ? reject(Object.assign(error, { stdout, stderr })) : resolve(stdout))));
  assert.match(out, /consent: fortune\(\{"name":"Alice"\}\) asks 0\.01 VARA/);
  assert.match(out, /fortune → Alice: /);
  assert.match(out, /settled: true, tx 0x[0-9a-f]{64}/);
  assert.match(out, /seller balance: 100 VARA → 100\.01 VARA/);
});
