// The misbehaving-seller page: this package's browser entry, paying with the in-wasm key, runs
// the app cases of tests/support/app-cases.mjs against a trickling seller in each of the
// three bounds at once, while paying an honest seller twice from the same payer (from 500 ms
// on, so that the bounded payments are signed first and the honest ones are in flight when
// the signals fire). Every
// `unhandledrejection` event is kept in `window.unhandledRejections` (WebKitGTK's driver
// has no console to report it on).
import { wrapFetchWithPayment, getPaymentReceipt } from 'x402-vara-wasm';
import { Keypair, ready as keyReady } from 'x402-vara-wasm/keypair';
import { payBounded, payHonest } from '../support/app-cases.mjs';

window.unhandledRejections = [];
addEventListener('unhandledrejection', (e) => {
  const r = e.reason;
  window.unhandledRejections.push(r instanceof Error ? `${r.name}: ${r.message}` : String(r));
});

window.runGroup = async ({ rpcUrl, genesisHash, suri, url, honestUrl, signalMs, bodyTimeoutMs }) => {
  await keyReady();
  const payer = Keypair.fromSuri(suri, { allowDevelopmentKeys: true });
  const options = { rpcUrls: { 'vara-testnet': rpcUrl }, genesisHashes: { 'vara-testnet': genesisHash } };
  const pay = wrapFetchWithPayment(fetch, payer, options);
  // Without a signal the wrapper's own bound ends its reads; with one, the signal does first.
  const bounded = wrapFetchWithPayment(fetch, payer, { ...options, bodyTimeoutMs });
  const modes = ['timeout', 'abort', 'none'];
  const [results, honest] = await Promise.all([
    // One URL per mode: Firefox holds a GET behind another GET of the same URL whose
    // response (here a trickled paid body) is still being written to its HTTP cache.
    Promise.all(modes.map((mode) => payBounded(mode === 'none' ? bounded : pay, getPaymentReceipt, `${url}?${mode}`, mode, signalMs))),
    Promise.all([payHonest(pay, getPaymentReceipt, honestUrl, 500), payHonest(pay, getPaymentReceipt, honestUrl, 1000)]),
  ]);
  // A rejection left behind by an abandoned read would surface within this pause.
  await new Promise((r) => setTimeout(r, 500));
  return { results: Object.fromEntries(modes.map((m, i) => [m, results[i]])), honest, unhandled: window.unhandledRejections };
};
window.pageReady = true;
