// A client app in a process of its own, for tests that must see the process live: it pays
// `url` (a misbehaving seller) bounded as `mode` says (see app-cases.mjs) while paying each
// `honest` URL from the same payer (after its `delayMs`), and prints one JSON line: what each
// request came to. Run it with --unhandled-rejections=strict: a rejection nobody handled
// exits non-zero.
// Usage: node --unhandled-rejections=strict --expose-gc tests/support/paying-app.mjs '<json config>'
import { wasm } from './wasm-pkg.mjs';
import { payBounded, payHonest } from './app-cases.mjs';

const cfg = JSON.parse(process.argv[2]);
const payer = wasm.Keypair.fromSuri(cfg.suri, { allowDevelopmentKeys: true });
const pay = wasm.wrapFetchWithPayment(fetch, payer, {
  rpcUrls: { 'vara-testnet': cfg.rpcUrl },
  genesisHashes: { 'vara-testnet': cfg.genesisHash },
  ...(cfg.bodyTimeoutMs ? { bodyTimeoutMs: cfg.bodyTimeoutMs } : {}),
});
// Each outcome also goes to stderr as it comes, for a run that never ends.
const t0 = Date.now();
const traced = (name, promise) => promise.then((r) => { console.error(`${Date.now() - t0} ms ${name}: ${JSON.stringify(r)}`); return r; });
const [result, ...honest] = await Promise.all([
  traced('bounded', payBounded(pay, wasm.getPaymentReceipt, cfg.url, cfg.mode, cfg.signalMs)),
  ...(cfg.honest ?? []).map((h, i) => traced(`honest ${i}`, payHonest(pay, wasm.getPaymentReceipt, h.url, h.delayMs))),
]);
console.log(JSON.stringify({ result, honest }));
