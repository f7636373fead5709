// The ledger in a browser: payments recorded in IndexedDB (x402-vara-wasm/idb-store), read
// back after the page reloads, and confirmed from the chain.
import { wrapFetchWithPayment, getPaymentReceipt, confirmPayment, PaymentLedger, ready } from 'x402-vara-wasm';
import { Keypair, ready as keyReady } from 'x402-vara-wasm/keypair';
import { idbStore } from 'x402-vara-wasm/idb-store';

const networkOptions = ({ rpcUrl, genesisHash }) => ({ rpcUrls: { 'vara-testnet': rpcUrl }, genesisHashes: { 'vara-testnet': genesisHash } });

window.payAndRecord = async (config) => {
  await Promise.all([ready(), keyReady()]);
  const network = networkOptions(config);
  const ledger = await PaymentLedger.open({ store: idbStore(config.db) });
  const payFetch = wrapFetchWithPayment(fetch, Keypair.fromSuri('//Alice'), { ...network, ledger, maxAmount: { VARA: config.price } });
  const response = await payFetch(config.url);
  const verdict = await confirmPayment(getPaymentReceipt(response), network);
  // The store writes in the background: wait until IndexedDB holds the verdict.
  for (let i = 0; i < 50; i++) {
    const lines = await idbStore(config.db).load();
    if (lines.some((l) => JSON.parse(l).stage === 'executed')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { status: response.status, verdict, entries: ledger.entries() };
};

window.reopen = async (config) => {
  await ready();
  const ledger = await PaymentLedger.open({ store: idbStore(config.db) });
  return ledger.entries();
};
