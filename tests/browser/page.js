// The browser test page: this package's browser entry paying a server through the injected
// (fake) extension. It also records what the synchronous API does before the wasm is loaded.
import { ready, wrapFetchWithPayment, getPaymentReceipt, decodePaymentHeader, Keypair } from 'x402-vara-wasm';
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

window.afterReady = async () => {
  await ready();
  await ready(); // idempotent
  return Keypair.fromSuri('//Alice').address;
};
window.pageReady = true;
