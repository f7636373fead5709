// The demo: a paywalled server (the reference x402-vara Express middleware and facilitator),
// a local Vara chain (the real runtime under chopsticks), and this package paying from Node
// with //Alice. Offline. Run: npm run demo  (after npm run build)
import { wrapFetchWithPayment, getPaymentReceipt, decodePaymentHeader } from '../../dist/node/index.mjs';
import { Keypair } from '../../dist/node/keypair.mjs';
import { startChain, waitUntil, VARA } from '../../tests/support/local-chain.mjs';
import { startReferenceServer } from '../../tests/support/reference-server.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 50_000_000_000n; // 0.05 VARA
const fmt = (planck) => `${Number(planck) / 1e12} VARA`;
const step = (n, text) => console.log(`\n[${n}] ${text}`);

step(1, 'starting a local Vara chain (testnet genesis runtime, chopsticks)…');
const chain = await startChain();
console.log(`    ${chain.httpUrl}  spec ${chain.specVersion}  genesis ${chain.genesisHash.slice(0, 18)}…  (${chain.startupMs} ms)`);
const alice = Keypair.fromSuri('//Alice');
await chain.fund(alice.address, 1_000n * VARA);
await chain.fund(BOB, 100n * VARA);
console.log(`    funded //Alice ${alice.address} with 1000 VARA; the seller ${BOB} holds 100 VARA`);

step(2, 'starting a paywalled server (x402-vara requirePayment, price 0.05 VARA)…');
const server = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: BOB, price: String(PRICE) });
console.log(`    GET ${server.url}/paid`);

try {
  step(3, 'requesting the resource without paying…');
  const unpaid = await fetch(`${server.url}/paid`);
  const required = await unpaid.json();
  console.log(`    ${unpaid.status} Payment Required: ${required.accepts.length} option(s)`);
  for (const a of required.accepts) console.log(`    → ${a.scheme} on ${a.network}: ${fmt(a.maxAmountRequired)} to ${a.payTo}`);

  step(4, 'paying with the wasm client (limit 0.1 VARA, consent hook)…');
  const before = await chain.freeBalance(BOB);
  const payFetch = wrapFetchWithPayment(fetch, alice, {
    rpcUrls: { 'vara-testnet': chain.httpUrl },
    genesisHashes: { 'vara-testnet': chain.genesisHash },
    maxAmount: { VARA: '100000000000' },
    onBeforePayment: (p) => { console.log(`    consent: pay ${fmt(p.amount)} to ${p.payTo} (nonce ${p.nonce}, valid from block ${p.validFrom} for ${p.eraPeriod} blocks)`); return true; },
  });
  const t0 = performance.now();
  const response = await payFetch(`${server.url}/paid`);
  const ms = (performance.now() - t0).toFixed(0);
  const receipt = getPaymentReceipt(response);
  const tx = decodePaymentHeader(receipt.header).payload.transaction;
  console.log(`    signed: nonce ${Number(tx.nonce)}, era ${tx.era}, call ${tx.method.slice(0, 10)}…, header ${receipt.header.length} chars`);
  console.log(`    settled: tx ${receipt.settlement?.txHash}`);

  step(5, `resource (${response.status}, ${ms} ms including payment):`);
  console.log(`    ${JSON.stringify(await response.json())}`);
  await waitUntil(async () => (await chain.freeBalance(BOB)) !== before);
  console.log(`    seller balance: ${fmt(before)} → ${fmt(await chain.freeBalance(BOB))}`);
} finally {
  await server.stop();
  await chain.stop();
}
