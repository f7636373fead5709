// The misbehaving-seller page: this package's browser entry, paying with the in-wasm key, runs
// the app cases of tests/support/app-cases.mjs against a trickling seller in each of the
// three bounds at once, while paying an honest seller twice from the same payer. Every
// `unhandledrejection` event is kept in `window.unhandledRejections` (WebKitGTK's driver
// has no console to report it on).
import { wrapFetchWithPayment, getPaymentReceipt } from 'x402-vara-wasm';
import { Keypair, ready as keyReady } from 'x402-vara-wasm/keypair';
import { payBounded, payHonest } from '../support/app-cases.mjs';

window.unhandledRejections = [];
addEventListener('unhandledrejection', (e) => {
  window.unhandledRejections.push(String((e.reason && (e.reason.stack || e.reason.message)) || e.reason));
});

window.runGroup = async ({ rpcUrl, genesisHash, suri, url, honestUrl, signalMs, bodyTimeoutMs }) => {
  await keyReady();
  const payer = Keypair.fromSuri(suri, { allowDevelopmentKeys: true });
  const pay = wrapFetchWithPayment(fetch, payer, {
    rpcUrls: { 'vara-testnet': rpcUrl }, genesisHashes: { 'vara-testnet': genesisHash }, bodyTimeoutMs,
  });
  const modes = ['timeout', 'abort', 'none'];
  const [results, honest] = await Promise.all([
    Promise.all(modes.map((mode) => payBounded(pay, getPaymentReceipt, url, mode, signalMs))),
    Promise.all([payHonest(pay, getPaymentReceipt, honestUrl, 0), payHonest(pay, getPaymentReceipt, honestUrl, 1000)]),
  ]);
  // A rejection left behind by an abandoned read would surface within this pause.
  await new Promise((r) => setTimeout(r, 500));
  return { results: Object.fromEntries(modes.map((m, i) => [m, results[i]])), honest, unhandled: window.unhandledRejections };
};
window.pageReady = true;
