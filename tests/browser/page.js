// The browser test page: this package's browser entry paying a server through the injected
// (fake) extension. It also records what the synchronous API does before the wasm is loaded.
import { ready, preload, wrapFetchWithPayment, getPaymentReceipt, decodePaymentHeader, X402Error, isX402Error } from 'x402-vara-wasm';
import { Keypair, ready as keyReady } from 'x402-vara-wasm/keypair';
import { connectExtension } from 'x402-vara-wasm/signers';

const describe = (e) => ({ name: e.name, code: e.code, message: e.message });
try {
  decodePaymentHeader('e30=');
  window.beforeReady = { error: null };
} catch (e) {
  window.beforeReady = { error: describe(e) };
}

window.runPayment = async ({ rpcUrl, genesisHash, url }) => {
  try {
    const { signer } = await connectExtension({ appName: 'x402 browser test' });
    // Wrapped before the wasm is loaded: the wrapper loads it on its first call.
    const pay = wrapFetchWithPayment(fetch, signer, { rpcUrls: { 'vara-testnet': rpcUrl }, genesisHashes: { 'vara-testnet': genesisHash } });
    const response = await pay(url);
    const body = await response.json();
    document.body.textContent = JSON.stringify(body);
    return { status: response.status, body, receipt: getPaymentReceipt(response) };
  } catch (e) {
    return { error: describe(e) };
  }
};

// Several paid requests at once from one account: one signature each, consecutive nonces.
window.runConcurrent = async ({ rpcUrl, genesisHash, url, count }) => {
  try {
    const { signer } = await connectExtension({ appName: 'x402 browser test' });
    const pay = wrapFetchWithPayment(fetch, signer, { rpcUrls: { 'vara-testnet': rpcUrl }, genesisHashes: { 'vara-testnet': genesisHash } });
    const responses = await Promise.all(Array.from({ length: count }, () => pay(url)));
    return { statuses: responses.map((r) => r.status), nonces: responses.map((r) => getPaymentReceipt(r).summary.nonce) };
  } catch (e) {
    return { error: describe(e) };
  }
};

// Errors are instances of the package's X402Error class.
window.errorClass = async () => {
  try {
    await wrapFetchWithPayment(fetch, { address: 'not an address', signPayload: async () => ({}) })('/nowhere');
    return null;
  } catch (e) {
    return { isInstance: e instanceof X402Error, isX402Error: isX402Error(e), code: e.code };
  }
};

window.afterReady = async () => {
  await ready();
  await ready(); // idempotent
  await keyReady();
  return Keypair.fromSuri('//Alice').address;
};
// preload() starts loading the wasm and returns at once; ready() then waits for that load.
window.preloadThenReady = async () => {
  const returned = preload();
  await ready();
  let code = null;
  try { decodePaymentHeader('e30='); } catch (e) { code = e.code; }
  return { returned: returned === undefined, code };
};
window.pageReady = true;
