// What the fleet suites pay against: chopsticks (`blockMs` as in startChain), its payers
// //Alice, //Dave, //Eve and //Ferdie funded, the reference x402-vara server paying Bob, and a
// throwaway redis-server; `env` is what tests/support/fleet-payer.mjs processes are given.
import { wasm } from './wasm-pkg.mjs';
import { startChain, VARA } from './local-chain.mjs';
import { startReferenceServer } from './reference-server.mjs';
import { startRedis } from './redis.mjs';

export const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';

export async function startFleetPeers({ blockMs, price }) {
  const chain = await startChain(blockMs ? { blockMs } : {});
  for (const suri of ['//Alice', '//Dave', '//Eve', '//Ferdie']) await chain.fund(wasm.Keypair.fromSuri(suri).address, 1_000_000n * VARA);
  await chain.fund(BOB, 100n * VARA);
  const server = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: BOB, price: String(price) });
  const redis = await startRedis();
  const env = { FLEET_SERVER: server.url, FLEET_RPC: chain.httpUrl, FLEET_GENESIS: chain.genesisHash, FLEET_REDIS: redis.url };
  return {
    chain, server, redis, env,
    async stop() {
      await redis.stop();
      await server.stop();
      await chain.stop();
    },
  };
}
