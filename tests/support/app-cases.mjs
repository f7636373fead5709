// What a client app does with a misbehaving seller, shared by the Node app
// (paying-app.mjs, a process of its own) and the browser page (tests/browser/sellers-page.js):
// pay `url` bounded as `mode` says — 'timeout': AbortSignal.timeout(signalMs); 'abort':
// AbortController.abort() after signalMs; 'none': no signal (the wrapper's bodyTimeoutMs
// bounds the bodies it reads) — then read the paid answer's body, which is the app's to read:
// under its signal, or with its own deadline (signalMs) when it has none.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** An X402Error's code, else the platform error's name (a DOMException's `code` is a number). */
export const failure = (e) => ({ name: e?.name, code: e?.name === 'X402Error' ? e.code : e?.name, message: String(e?.message ?? e), status: e?.status });

/** Reads a body to its end, or cancels it at `ms`. */
async function readWithin(body, ms) {
  const reader = body.getReader();
  let timer;
  const deadline = new Promise((r) => { timer = setTimeout(() => r('deadline'), ms); });
  try {
    for (;;) {
      const chunk = await Promise.race([reader.read(), deadline]);
      if (chunk === 'deadline') { await reader.cancel('deadline'); return 'DEADLINE'; }
      if (chunk.done) return 'DONE';
    }
  } finally {
    clearTimeout(timer);
  }
}

/** `{ status, paid, txHash, body, ms }` (body: DONE, DEADLINE or the read's error), or `{ error, ms }`. */
export async function payBounded(pay, getPaymentReceipt, url, mode, signalMs) {
  const init = {};
  const t0 = Date.now();
  let abort;
  if (mode === 'timeout') init.signal = AbortSignal.timeout(signalMs);
  if (mode === 'abort') {
    const controller = new AbortController();
    init.signal = controller.signal;
    abort = setTimeout(() => controller.abort(), signalMs);
  }
  try {
    const response = await pay(url, init);
    const receipt = getPaymentReceipt(response);
    const out = { status: response.status, paid: Boolean(receipt), txHash: receipt?.settlement?.txHash, ms: Date.now() - t0 };
    // A collection between the answer and the read (Node with --expose-gc): the signal must
    // still reach the body, whatever the wrapper made the request with.
    globalThis.gc?.();
    try {
      out.body = init.signal ? ((await response.text()), 'DONE') : await readWithin(response.body, signalMs);
    } catch (e) {
      out.body = failure(e).code;
    }
    return out;
  } catch (e) {
    return { error: failure(e), ms: Date.now() - t0 };
  } finally {
    clearTimeout(abort);
  }
}

/** An honest payment after `delayMs`: `{ status, body, nonce, txHash }` or `{ error }`. */
export async function payHonest(pay, getPaymentReceipt, url, delayMs = 0) {
  await sleep(delayMs);
  try {
    const response = await pay(url);
    const receipt = getPaymentReceipt(response);
    return { status: response.status, body: await response.json(), nonce: receipt?.summary?.nonce, txHash: receipt?.settlement?.txHash };
  } catch (e) {
    return { error: failure(e) };
  }
}
