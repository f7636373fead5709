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

const MAX_SAME_ORIGIN_REDIRECTS = 5;

const originOf = (url) => { try { return new URL(url).origin; } catch { return null; } };

/** The request's absolute URL, as Axios would send it. */
function urlOf(axiosClient, config) {
  const uri = typeof axiosClient.getUri === 'function'
    ? axiosClient.getUri({ ...config, params: undefined, paramsSerializer: undefined })
    : `${config.baseURL ?? ''}${config.url ?? ''}`;
  try { return new URL(uri).href; } catch { return new URL(uri, globalThis.location?.href ?? 'http://localhost/').href; }
}

/**
 * An error of Axios's own (or of `send`) while paying: ABORTED when Axios's `signal` or
 * `timeout` stopped the paid request, as they stop the payment itself; else NETWORK_ERROR.
 */
const stoppedByCaller = (e) => ['ERR_CANCELED', 'ECONNABORTED', 'ETIMEDOUT'].includes(e?.code) || e?.name === 'AbortError';

function duringPayment(e, url) {
  if (isX402Error(e)) return e;
  const stopped = stoppedByCaller(e);
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
      const url = urlOf(axiosClient, config);
      const origin = originOf(url);
      let last = null;
      // The paid request: redirects are followed here, within the seller's origin only (the
      // payment header never reaches another origin); the core judges the answer by the chain.
      const send = async (header, headerName) => {
        const headers = { ...(config.headers?.toJSON?.() ?? config.headers), [headerName]: header };
        let target = { ...config, [RETRIED]: true, headers, maxRedirects: 0 };
        for (let hop = 0; ; hop++) {
          let answer;
          try {
            answer = await axiosClient.request(target);
          } catch (e) {
            // No answer at all: stopped by its signal or timeout is ABORTED; otherwise Axios's
            // error goes to the core as is (NETWORK_ERROR, the AxiosError its cause).
            if (!e || !e.response) throw stoppedByCaller(e) ? duringPayment(e, urlOf(axiosClient, target)) : e;
            answer = e.response;
          }
          last = answer;
          const location = headerOf(answer.headers, 'location');
          if (answer.status >= 300 && answer.status < 400 && answer.status !== 304 && location) {
            const next = new URL(String(location), urlOf(axiosClient, target)).href;
            if (originOf(next) !== origin) {
              throw x402Error('CROSS_ORIGIN_REDIRECT',
                `the seller (${origin}) redirected the paid request (HTTP ${answer.status}) to ${next}: the payment was not sent there`);
            }
            if (hop >= MAX_SAME_ORIGIN_REDIRECTS) throw x402Error('NETWORK_ERROR', `the seller redirected the paid request more than ${MAX_SAME_ORIGIN_REDIRECTS} times`);
            const get = answer.status === 303 || ([301, 302].includes(answer.status) && String(target.method).toUpperCase() === 'POST');
            target = { ...target, url: next, baseURL: undefined, ...(get ? { method: 'get', data: undefined } : {}) };
            continue;
          }
          const paymentResponse = headerOf(answer.headers, 'payment-response') || headerOf(answer.headers, 'x-payment-response');
          const ok = answer.status >= 200 && answer.status < 300;
          return { status: answer.status, paymentResponse: paymentResponse ? String(paymentResponse) : null, reason: ok ? undefined : reasonOf(answer.data), response: answer };
        }
      };
      let sent;
      try {
        sent = await sendWithPayment(requirements, payer, send, opts);
      } catch (e) {
        // The core's verdict, with the seller's response when there was one.
        const error = duringPayment(e, url);
        if (last && error.response === undefined) error.response = last;
        throw error;
      }
      const paid = sent.result.response;
      paid.x402 = { ...sent.receipt, summary: sent.summary, settlement: settlementOf(paid.headers), header: sent.header };
      return paid;
    },
  );
  return axiosClient;
}
