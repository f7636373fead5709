// Scripted peers as plain JavaScript, evaluated with `new Function(source)()` so that the SAME
// code runs inside wasm-bindgen tests (tests/wasm.rs: Node, Chromium, Firefox, WebKitGTK) and
// in the Node suites (tests/support/scripted-rpc.mjs). They stand in for peers that cannot run
// inside a wasm-bindgen test page: a resource server behind a `fetch` function, and a JSON-RPC
// node (real Vara metadata, realistic chain values) behind `rpcFetch`. The end-to-end suites
// pay the real reference server on a real runtime instead.
// No module syntax here: this file is a function body and ends with `return`.

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const TESTNET_GENESIS = '0x525639f713f397dcf839bd022cd821f367ebcf179de7b9253531f8adbe5436d6';
const TX_HASH = '0x' + 'ef'.repeat(32);
const PRICE = '10000000000';

const jsonResponse = (status, value, headers = {}) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json', ...headers } });

const accepts = (over = {}) => ({
  scheme: 'exact', network: 'vara-testnet', maxAmountRequired: PRICE, resource: 'http://shop.test/paid',
  description: 'test', mimeType: 'application/json', payTo: BOB, maxTimeoutSeconds: 60, outputSchema: null, extra: null, ...over,
});
const required = (over) => ({ x402Version: 1, accepts: [accepts(over)] });

/** A SCALE `AccountInfo`: four u32 counters, then free, reserved, frozen and flags (u128 LE). */
function accountInfo(free) {
  const bytes = new Uint8Array(80);
  let v = BigInt(free);
  for (let i = 16; i < 32; i++, v >>= 8n) bytes[i] = Number(v & 0xffn);
  return '0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SCALE `Option<Vec<u8>>` of hex bytes, as `Metadata_metadata_at_version` answers. */
function someBytes(hex) {
  const len = (hex.length - 2) / 2;
  const prefix = len < 1 << 14 ? [(len << 2) | 1, len >> 6] : [((len << 2) | 2) & 0xff, (len >> 6) & 0xff, (len >> 14) & 0xff, (len >> 22) & 0xff];
  return '0x01' + prefix.map((b) => (b & 0xff).toString(16).padStart(2, '0')).join('') + hex.slice(2);
}

/**
 * A JSON-RPC node answering the calls a payment makes, batched or not. Tests change `state`
 * to script a runtime upgrade, a reorg or a lie, and set two hooks to script a faulty node:
 * `state.answer(call, answer)` returns the JSON-RPC answer to one call (`call` is the request,
 * `answer` the correct reply; return it changed, or `undefined` to keep it), and
 * `state.reply(answers, body)` returns what the HTTP request gets back (the answers, changed,
 * or a `Response`, or a Promise of either). Both are off unless set.
 */
function scriptedRpc(metadataHex, { specVersion = 20000, transactionVersion = 1, genesisHash = TESTNET_GENESIS,
  blockNumber = 1234567, parentHash = '0x' + '11'.repeat(32), nonce = 7, accountExists = true, gasMinLimit = 2000000000 } = {}) {
  const state = { metadataHex, specVersion, transactionVersion, genesisHash, blockNumber, parentHash, nonce, accountExists, gasMinLimit,
    answer: null, reply: null };
  const calls = [];
  const answer = (call) => {
    const correct = honest(call);
    const changed = state.answer ? state.answer(call, correct) : undefined;
    return changed === undefined ? correct : changed;
  };
  const honest = ({ id, method, params }) => {
    calls.push(method);
    const results = {
      chain_getBlockHash: state.genesisHash,
      state_getRuntimeVersion: { specName: 'vara', specVersion: state.specVersion, transactionVersion: state.transactionVersion },
      state_getMetadata: state.metadataHex,
      chain_getHeader: {
        parentHash: state.parentHash, number: '0x' + state.blockNumber.toString(16),
        stateRoot: '0x' + '22'.repeat(32), extrinsicsRoot: '0x' + '33'.repeat(32), digest: { logs: [] },
      },
      system_accountNextIndex: state.nonce,
      // Every account exists and holds 1,000,000 VARA unless told otherwise.
      state_getStorage: state.accountExists ? accountInfo(10n ** 18n) : null,
      gear_calculateHandleGas: { min_limit: state.gasMinLimit, reserved: 0, burned: 0, may_be_returned: 0, waited: false },
    };
    // Metadata V15 (for the metadata hash and polkadot-api signers): what it serves when that
    // is V15 (byte 4 after the magic), `None` otherwise, like a runtime without it.
    if (method === 'state_call' && params?.[0] === 'Metadata_metadata_at_version') {
      const v15 = state.metadataHex.slice(10, 12) === '0f' && params[1] === '0x0f000000';
      return { jsonrpc: '2.0', id, result: v15 ? someBytes(state.metadataHex) : '0x00' };
    }
    if (!(method in results)) return { jsonrpc: '2.0', id, error: { code: -32601, message: `no ${method}` } };
    return { jsonrpc: '2.0', id, result: results[method] };
  };
  const rpcFetch = async (_url, init) => {
    const body = JSON.parse(init.body);
    const answers = Array.isArray(body) ? body.map(answer) : answer(body);
    const reply = await (state.reply ? state.reply(answers, body) : answers);
    return reply instanceof Response ? reply : jsonResponse(200, reply);
  };
  return { rpcFetch, calls, genesisHash, state };
}

/** A resource server behind a fetch function: /paid takes payments, the rest misbehave. */
function resourceServer() {
  const server = { paid: [], requests: 0, endlessChunks: 0, onHang: null };
  const endless = () => new Response(new ReadableStream({
    pull(controller) {
      server.endlessChunks += 1;
      controller.enqueue(new TextEncoder().encode(' '.repeat(64 * 1024)));
    },
  }), { status: 402, headers: { 'content-type': 'application/json' } });
  const routes = {
    '/paid': async (request) => {
      const payment = request.headers.get('x-payment');
      if (!payment) return jsonResponse(402, required());
      const bytes = new Uint8Array(await request.arrayBuffer());
      server.paid.push({ payment, bytes: Array.from(bytes), text: new TextDecoder().decode(bytes),
        contentType: request.headers.get('content-type'), custom: request.headers.get('x-custom'), method: request.method });
      return jsonResponse(200, { ok: true }, { 'X-PAYMENT-RESPONSE': TX_HASH });
    },
    '/free': () => jsonResponse(200, { free: true }),
    '/overcharge': () => jsonResponse(402, required({ maxAmountRequired: '1000000000000' })),
    '/unknown-network': () => jsonResponse(402, required({ network: 'base-sepolia' })),
    '/token': () => jsonResponse(402, required({ asset: '0x' + 'cd'.repeat(32), maxAmountRequired: '5' })),
    '/malformed': () => new Response('{"x402Version":1,"accepts":[{', { status: 402 }),
    '/empty': () => jsonResponse(402, { x402Version: 1, accepts: [] }),
    '/bad-pay-to': () => jsonResponse(402, required({ payTo: 'not-an-address' })),
    '/huge': () => new Response(' '.repeat(8 * 1024 * 1024), { status: 402 }),
    '/endless': endless,
    '/again': () => jsonResponse(402, required()),
    // Never answers; rejects like a real fetch when the request's signal aborts.
    '/hang': (request) => new Promise((_, reject) => {
      request.signal.addEventListener('abort', () => reject(request.signal.reason ?? new DOMException('aborted', 'AbortError')));
      if (server.onHang) server.onHang();
    }),
  };
  server.fetch = async (input, init) => {
    server.requests += 1;
    const request = input instanceof Request ? input : new Request(input, init);
    const route = routes[new URL(request.url).pathname];
    return route ? route(request) : new Response('not found', { status: 404 });
  };
  return server;
}

const toHex = (bytes) => '0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** An extension-shaped signer over a wasm Keypair that counts its calls; `refuse` throws. */
function countingSigner(key, { refuse = false } = {}) {
  const signer = {
    address: key.address,
    calls: 0,
    async signPayload(_payload, bytes) {
      signer.calls += 1;
      if (refuse) throw new Error('Cancelled');
      return { signature: '0x01' + toHex(key.sign(bytes)).slice(2) };
    },
  };
  return signer;
}

/** Starts `wrapped(url)` and aborts it once the server holds the request. */
function abortWhileWaiting(wrapped, server, url) {
  const controller = new AbortController();
  server.onHang = () => controller.abort();
  return wrapped(url, { signal: controller.signal });
}

/** Runs `run()` with globalThis.fetch replaced (for x402Fetch, which uses the global one). */
async function withGlobalFetch(fetch, run) {
  const original = globalThis.fetch;
  globalThis.fetch = fetch;
  try {
    return await run();
  } finally {
    globalThis.fetch = original;
  }
}

return { BOB, TX_HASH, PRICE, TESTNET_GENESIS, accountInfo, scriptedRpc, resourceServer, countingSigner, abortWhileWaiting, withGlobalFetch };
