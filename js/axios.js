// Axios interceptor: a drop-in for x402-vara's `withX402Interceptor(axios, signer)`, built on
// the same wasm core as the fetch wrapper: the same limits, the same loop guard, the same
// nonce sequencing (payments from one account reach servers in nonce order) and the same
// rule after paying (see the fetch wrapper).
//
// Errors: a request that never got a 402 fails as Axios alone would fail it (an AxiosError:
// unreachable, timed out, 404 …); the interceptor does not touch it. From the 402 on, every
// failure is an X402Error, an AxiosError behind it kept as `cause`.
import { sendWithPayment, parsePaymentResponse } from 'x402-vara-wasm';
import { checkOptions } from './options.js';
import { toSigner } from './signers.js';
import { x402Error, isX402Error } from './errors.js';

// A plain key: axios's mergeConfig keeps unknown string keys (not symbols) on the retry.
const RETRIED = '__x402Retried';

const isNodeStream = (d) => d && typeof d === 'object' && typeof d.pipe === 'function' && typeof d.on === 'function';
const isWebStream = (d) => d && typeof d === 'object' && typeof d.getReader === 'function';

/** A stream body is read once, so it is buffered before the first send to be sent again. */
async function replayable(data) {
  const chunks = [];
  if (isWebStream(data)) {
    const reader = data.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  } else {
    for await (const chunk of data) chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** Axios's `signal` and `timeout` bound the payment as they bound the request. */
function paymentSignal(config) {
  const signals = [config.signal, config.timeout > 0 ? AbortSignal.timeout(config.timeout) : null].filter(Boolean);
  if (signals.length < 2) return signals[0];
  return typeof AbortSignal.any === 'function' ? AbortSignal.any(signals) : signals[0];
}

const headerOf = (headers, name) => headers && (typeof headers.get === 'function' ? headers.get(name) : headers[name]);

/** The receipt: v2's `PAYMENT-RESPONSE`, else v1's `X-PAYMENT-RESPONSE`. */
function settlementOf(headers) {
  const value = headerOf(headers, 'payment-response') || headerOf(headers, 'x-payment-response');
  if (!value) return null;
  try {
    return parsePaymentResponse(String(value));
  } catch {
    return null; // the server took the payment; a receipt it garbled does not undo that
  }
}

function reasonOf(data) {
  const text = typeof data === 'string' ? data : (() => { try { return JSON.stringify(data); } catch { return ''; } })();
  return (text ?? '').slice(0, 300);
}

/**
 * The fetch wrapper's rule after paying: a settlement reported failed, a second 402, or any
 * other non-2xx (`failed`) without a successful settlement is a typed error with the receipt.
 * `reason` is the settlement's own, when it gives one; else the answer's body is.
 */
function failureAfterPaying(status, settlement, failed) {
  if (settlement && !settlement.success) {
    return { code: 'SETTLEMENT_FAILED', what: `the server reports that settling the payment failed (HTTP ${status})`, reason: settlement.error };
  }
  if (status === 402) return { code: 'PAYMENT_REJECTED_BY_SERVER', what: 'the server answered 402 again after payment' };
  if (failed && !settlement?.success) return { code: 'SETTLEMENT_FAILED', what: `the server did not settle the payment (HTTP ${status})` };
  return null;
}

/**
 * An error of Axios's own (or of `send`) while paying: ABORTED when Axios's `signal` or
 * `timeout` stopped the paid request, as they stop the payment itself; else NETWORK_ERROR.
 */
function duringPayment(e, url) {
  if (isX402Error(e)) return e;
  const stopped = ['ERR_CANCELED', 'ECONNABORTED', 'ETIMEDOUT'].includes(e?.code) || e?.name === 'AbortError';
  const why = e?.message ?? String(e);
  return stopped
    ? x402Error('ABORTED', `the paid request to ${url} was stopped by its signal or timeout: ${why}`, { cause: e })
    : x402Error('NETWORK_ERROR', `${url} could not be reached with the payment: ${why}`, { cause: e });
}

export function withX402Interceptor(axiosClient, signer, options = {}) {
  const payer = toSigner(signer);
  checkOptions(payer, options);
  axiosClient.interceptors.request.use(async (config) => {
    if (isNodeStream(config.data) || isWebStream(config.data)) config.data = await replayable(config.data);
    return config;
  });
  axiosClient.interceptors.response.use(
    (response) => response,
    async (error) => {
      const response = error && error.response;
      // A 402 to a paid retry goes back to the send below, which reports it.
      if (!response || response.status !== 402 || !error.config || error.config[RETRIED]) throw error;
      const config = error.config;
      const signal = paymentSignal(config);
      const opts = signal ? { ...options, signal } : options;
      // A v2 server sends its offer in the PAYMENT-REQUIRED header; a v1 server in the body.
      const offer = headerOf(response.headers, 'payment-required');
      const requirements = offer ? String(offer) : response.data;
      let sent;
      try {
        sent = await sendWithPayment(requirements, payer, async (header, headerName) => {
          const headers = { ...(config.headers?.toJSON?.() ?? config.headers), [headerName]: header };
          try {
            const paid = await axiosClient.request({ ...config, [RETRIED]: true, headers });
            return { status: paid.status, response: paid };
          } catch (e) {
            if (e && e.response) return { status: e.response.status, response: e.response, error: e };
            throw e;
          }
        }, opts);
      } catch (e) {
        throw duringPayment(e, axiosClient.getUri?.(config) ?? config.url);
      }
      const { response: paid, error: failed } = sent.result;
      const x402 = { summary: sent.summary, settlement: settlementOf(paid.headers), header: sent.header };
      const failure = failureAfterPaying(paid.status, x402.settlement, failed);
      if (failure) {
        const details = { status: paid.status, reason: reasonOf(paid.data), receipt: x402, cause: failed };
        throw x402Error(failure.code, `${failure.what}: ${failure.reason ?? details.reason}`, details);
      }
      paid.x402 = x402;
      return paid;
    },
  );
  return axiosClient;
}
