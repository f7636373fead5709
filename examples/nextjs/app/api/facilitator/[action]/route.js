// A facilitator with the reference's own verify/settle logic (x402-vara/server), as the
// published facilitator serves it: POST /verify and /settle with
// { x402Version, paymentHeader, paymentRequirements }.
import { verifyWithApi, settleWithApi } from 'x402-vara/server';
import { useApi, decodePaymentHeader, RpcMap } from 'x402-vara/utils';
import { cryptoWaitReady } from '@polkadot/util-crypto';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function POST(request, { params }) {
  const { action } = await params;
  const { paymentHeader, paymentRequirements } = await request.json();
  const network = paymentRequirements?.network;
  if (!RpcMap[network]) return Response.json({ isValid: false, invalidReason: `unsupported network ${network}` }, { status: 400 });
  if (process.env.VARA_RPC_WS) RpcMap[network] = process.env.VARA_RPC_WS; // a local node
  const data = decodePaymentHeader(paymentHeader);
  await cryptoWaitReady(); // signatureVerify needs the sr25519 wasm ready
  const api = await useApi(network);
  if (action === 'verify') {
    const { isValid, invalidReason } = await verifyWithApi(api)(data);
    return Response.json({ isValid, invalidReason });
  }
  if (action === 'settle') {
    const { success, message, txHash } = await settleWithApi(api)(data);
    return Response.json({ success, error: message, txHash, networkId: network });
  }
  return Response.json({ error: `unknown action ${action}` }, { status: 404 });
}
