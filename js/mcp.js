// Paying MCP client: wraps an @modelcontextprotocol/sdk `Client` so that a paid tool call or
// resource read is paid on Vara, in the x402 MCP transport as @x402/mcp speaks it: the server
// asks for payment (a tool result with `isError` and `PaymentRequired`, or a JSON-RPC error 402
// or -32042 with it in `error.data`); the call is sent again, on the same connection, with the
// `PaymentPayload` in `params._meta["x402/payment"]`; the server settles and answers with
// `result._meta["x402/payment-response"]`. The payment itself is the wasm core's
// (`sendWithPayment`): the same limits, consent, budgets, ledger, nonce lanes, typed errors and
// receipts as the fetch wrapper. The SDK is not imported: any object with its methods works.
import { sendWithPayment, decodePaymentHeader, getPaymentReceipt as receiptOfResponse, PaymentLedger } from 'x402-vara-wasm';
import { checkOptions } from './options.js';
import { toSigner } from './signers.js';
import { x402Error, isX402Error } from './errors.js';

export const MCP_PAYMENT_META_KEY = 'x402/payment';
export const MCP_PAYMENT_RESPONSE_META_KEY = 'x402/payment-response';
// 402: the draft transport's error; -32042: MCP's URL-elicitation error, which McpServer
// passes through from a tool with its data (@x402/mcp reads both).
const PAYMENT_ERROR_CODES = [402, -32042];
// Errors the SDK makes itself when no answer came: connection closed, request timed out.
const NO_ANSWER_CODES = [-32000, -32001];
// JSON-RPC errors that blame the request, for the HTTP-like status the core judges by.
const REQUEST_ERROR_CODES = [-32700, -32600, -32601, -32602];

/** Receipts of the results this module paid for, with the ledger that holds each entry. */
const receipts = new WeakMap();

const isObject = (v) => typeof v === 'object' && v !== null;
const isPaymentRequired = (v) => isObject(v) && typeof v.x402Version === 'number' && Array.isArray(v.accepts);

/** `PaymentRequired` of a tool result: `structuredContent`, else `content[0].text` as JSON. */
export function paymentRequiredOf(result) {
  if (!isObject(result) || result.isError !== true) return null;
  if (isPaymentRequired(result.structuredContent)) return result.structuredContent;
  const first = Array.isArray(result.content) ? result.content[0] : undefined;
  if (first?.type !== 'text' || typeof first.text !== 'string') return null;
  try {
    const parsed = JSON.parse(first.text);
    return isPaymentRequired(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** `PaymentRequired` of a thrown JSON-RPC error: `error.data`, or `error.data.x402` for -32042. */
function paymentRequiredOfError(error) {
  if (!isObject(error) || !PAYMENT_ERROR_CODES.includes(error.code) || !isObject(error.data)) return null;
  if (isPaymentRequired(error.data)) return error.data;
  return error.code === -32042 && isPaymentRequired(error.data.x402) ? error.data.x402 : null;
}

/** Base64 of JSON, the encoding the core parses a v2 settlement (`PAYMENT-RESPONSE`) in. */
function base64Json(value) {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

const textOf = (result) => {
  const first = Array.isArray(result?.content) ? result.content[0] : undefined;
  return typeof first?.text === 'string' ? first.text.slice(0, 300) : undefined;
};

/** A paid call's result in the core's HTTP-like terms: 200 served, 402 asked again, 500 failed. */
function outcomeOf(result) {
  const settlement = result?._meta?.[MCP_PAYMENT_RESPONSE_META_KEY];
  const paymentResponse = isObject(settlement) ? base64Json(settlement) : null;
  const required = paymentRequiredOf(result);
  if (required) return { status: 402, paymentResponse, reason: required.error ?? textOf(result), mcpResult: result };
  if (result?.isError === true) return { status: 500, paymentResponse, reason: textOf(result), mcpResult: result };
  return { status: 200, paymentResponse, mcpResult: result };
}

/**
 * A paid call's error: the server's JSON-RPC error answer as an outcome; anything else (no
 * answer: connection lost, timed out, a transport error) is thrown, and the chain decides.
 */
function outcomeOfError(error, signal) {
  if (signal?.aborted) {
    throw x402Error('ABORTED', `the paid MCP request was stopped by its signal: ${error?.message ?? error}`, { cause: error });
  }
  // The Streamable HTTP transport's error for a non-2xx answer carries its HTTP status. The
  // transport follows redirects within the origin only: a 3xx left is one to another origin.
  const httpStatus = error?.constructor?.name === 'StreamableHTTPError' && error.code >= 300 && error.code < 600 ? error.code : null;
  if (httpStatus !== null && httpStatus < 400) {
    throw x402Error('CROSS_ORIGIN_REDIRECT', `the MCP server redirected the paid request (HTTP ${httpStatus}) elsewhere; it was not followed: ${error.message}`, { cause: error });
  }
  if (httpStatus !== null) return { status: httpStatus, paymentResponse: null, reason: String(error.message).slice(0, 300), mcpResult: undefined };
  const answered = error?.name === 'McpError' && Number.isInteger(error.code) && !NO_ANSWER_CODES.includes(error.code);
  if (!answered) {
    const code = error?.name === 'McpError' && error.code === -32001 ? 'TIMEOUT' : 'NETWORK_ERROR';
    throw x402Error(code, `the MCP server did not answer the paid request: ${error?.message ?? error}`, { cause: error });
  }
  const required = paymentRequiredOfError(error);
  const status = required ? 402 : REQUEST_ERROR_CODES.includes(error.code) ? 400 : 500;
  return { status, paymentResponse: null, reason: (required?.error ?? error.message ?? '').slice(0, 300), mcpResult: undefined };
}

function anySignal(a, b) {
  if (!a || !b) return a ?? b;
  return typeof AbortSignal.any === 'function' ? AbortSignal.any([a, b]) : b;
}

/**
 * Whether the client's transport follows redirects to any origin (the SDK's Streamable HTTP
 * transport with `redirectPolicy: 'follow'`, read from its private `_followRedirects`, SDK
 * 1.32): a paid request could then reach another server. The SDK's default (`same-origin`)
 * keeps it on the server that asked; stdio has no redirects.
 */
const followsRedirectsAnywhere = (client) => client?.transport?._followRedirects === true;

/**
 * `wrapMCPClientWithPayment(client, signer, options)` → the same client, whose `callTool` and
 * `readResource` pay what the server asks within `options` (this package's X402Options).
 * `onBeforePayment` sees the preview with `mcp: { method, name, arguments }` (a tool) or
 * `mcp: { method, uri }` (a resource). A payment goes only to the server of this client's
 * connection, in a second request of the call that asked for it.
 */
export function wrapMCPClientWithPayment(client, signer, options = {}) {
  if (!client || typeof client.callTool !== 'function' || typeof client.readResource !== 'function') {
    throw x402Error('INVALID_OPTIONS', 'wrapMCPClientWithPayment needs an MCP Client (@modelcontextprotocol/sdk) with callTool and readResource');
  }
  const payer = toSigner(signer);
  checkOptions(payer, options);
  const ledger = () => options.ledger ?? PaymentLedger.default();

  /** Pays `required` and sends the call again with the payment: what the server then answered. */
  async function pay(required, what, signal, resend) {
    if (followsRedirectsAnywhere(client)) {
      throw x402Error('CROSS_ORIGIN_REDIRECT',
        "the MCP client's transport follows redirects to other origins (redirectPolicy: 'follow'): the payment was not made");
    }
    const hook = options.onBeforePayment;
    const opts = {
      ...options,
      ...(hook ? { onBeforePayment: (preview) => hook({ ...preview, mcp: what }) } : {}),
      ...(signal || options.signal ? { signal: anySignal(options.signal, signal) } : {}),
    };
    const send = async (header) => {
      let result;
      try {
        result = await resend(decodePaymentHeader(header));
      } catch (error) {
        return outcomeOfError(error, signal);
      }
      return outcomeOf(result);
    };
    let sent;
    try {
      sent = await sendWithPayment(required, payer, send, opts);
    } catch (error) {
      if (isObject(error?.result) && 'mcpResult' in error.result) error.result = error.result.mcpResult;
      if (isX402Error(error)) throw error;
      throw x402Error('NETWORK_ERROR', `the paid MCP request failed: ${error?.message ?? error}`, { cause: error });
    }
    const result = sent.result.mcpResult;
    if (isObject(result)) receipts.set(result, { receipt: sent.receipt, ledger: ledger() });
    return result;
  }

  /** The first call, unpaid; when it asks for payment, the paid second call. */
  async function call(params, what, signal, request) {
    if (params?._meta?.[MCP_PAYMENT_META_KEY] !== undefined) return request(params); // the caller pays itself
    let result, required;
    try {
      result = await request(params);
      required = paymentRequiredOf(result);
    } catch (error) {
      required = paymentRequiredOfError(error);
      if (!required) throw error;
    }
    if (!required) return result;
    const resend = (payment) => request({ ...params, _meta: { ...params?._meta, [MCP_PAYMENT_META_KEY]: payment } });
    return pay(required, what, signal, resend);
  }

  const callTool = (params, resultSchema, requestOptions) =>
    call(params, { method: 'tools/call', name: params?.name, arguments: params?.arguments ?? {} }, requestOptions?.signal,
      (p) => client.callTool(p, resultSchema, requestOptions));
  const readResource = (params, requestOptions) =>
    call(params, { method: 'resources/read', uri: params?.uri }, requestOptions?.signal,
      (p) => client.readResource(p, requestOptions));

  return new Proxy(client, {
    get(target, key) {
      if (key === 'callTool') return callTool;
      if (key === 'readResource') return readResource;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set: (target, key, value) => Reflect.set(target, key, value, target),
  });
}

/**
 * The receipt of a tool or resource result this module paid for (its `chain` verdict as the
 * ledger knows it now), of a Response the fetch wrapper paid for, or `undefined`.
 */
export function getPaymentReceipt(value) {
  const paid = isObject(value) ? receipts.get(value) : undefined;
  if (!paid) return receiptOfResponse(value);
  paid.receipt.chain = paid.ledger.get(paid.receipt.entryId)?.chain ?? null;
  return paid.receipt;
}
