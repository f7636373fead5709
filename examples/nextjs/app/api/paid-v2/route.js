// The paid resource in x402 version 2, beside the v1 route: @x402/next's withX402 asks for
// payment in a PAYMENT-REQUIRED header and settles after the handler answers. The Vara
// `exact` scheme server and the in-process polkadot-js facilitator are the repository's
// (tests/support), connected to VARA_RPC_WS on first use and expecting VARA_GENESIS_HASH
// (the testnet's by default; a local chain reports its own).
import { withX402, x402ResourceServer } from '@x402/next';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { VaraExactServer, VARA_TESTNET } from '../../../../../tests/support/vara-exact-server.mjs';
import { createVaraFacilitator } from '../../../../../tests/support/vara-facilitator.mjs';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const TESTNET_GENESIS = '0x525639f713f397dcf839bd022cd821f367ebcf179de7b9253531f8adbe5436d6';
const PAY_TO = process.env.X402_PAY_TO ?? 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';

let api;
const connect = async () => {
  await cryptoWaitReady(); // signatureVerify needs the sr25519 wasm ready
  return (api ??= ApiPromise.create({ provider: new WsProvider(process.env.VARA_RPC_WS ?? 'wss://testnet.vara.network'), noInitWarn: true }));
};
const facilitator = createVaraFacilitator({
  networks: { [VARA_TESTNET]: { api: connect, genesisHash: process.env.VARA_GENESIS_HASH ?? TESTNET_GENESIS } },
});
const server = new x402ResourceServer(facilitator).register(VARA_TESTNET, new VaraExactServer());

export const GET = withX402(
  () => Response.json({ joke: 'Why did the x402 client upgrade to version 2? It wanted better headers.' }),
  {
    accepts: { scheme: 'exact', network: VARA_TESTNET, payTo: PAY_TO, price: { amount: process.env.X402_PRICE ?? '10000000000', asset: 'vara' } },
    description: 'A paid joke (x402 v2)',
    mimeType: 'application/json',
  },
  server,
);
