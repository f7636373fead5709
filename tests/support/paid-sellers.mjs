// The two real sellers the agent-wallet and seller-proof suites pay, on one local chain: the
// x402 v2 seller (its facilitator settles and waits for execution) and the reference x402-vara
// v1 server, both paying //Ferdie `price`; `options` reach that chain and allow the price.
import { wasm } from './wasm-pkg.mjs';
import { startChain, VARA } from './local-chain.mjs';
import { startV2Server } from './x402-v2-server.mjs';
import { startReferenceServer } from './reference-server.mjs';

const { VARA_TESTNET } = await import('../../dist/js/x402.js');

export async function startPaidSellers(price) {
  const chain = await startChain();
  const api = await chain.api();
  const seller = wasm.Keypair.fromSuri('//Ferdie').address;
  await chain.fund(seller, 100n * VARA);
  const v2 = await startV2Server({ api, genesisHash: chain.genesisHash, payTo: seller, price });
  const v1 = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: seller, price: String(price) });
  const options = { rpcUrls: { [VARA_TESTNET]: chain.httpUrl }, genesisHashes: { [VARA_TESTNET]: chain.genesisHash }, maxAmount: { VARA: String(price) } };
  const stop = async () => {
    await v1?.stop?.();
    await v2?.stop();
    await chain?.stop();
  };
  return { chain, api, seller, v2, v1, options, stop };
}
