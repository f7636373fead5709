// The page's chain settings, read from the server's environment at request time, so that one
// build serves testnet (nothing set: the package's defaults) and a local chain
// (VARA_RPC_HTTP=http://127.0.0.1:8000 VARA_GENESIS_HASH=0x…).
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ rpcUrl: process.env.VARA_RPC_HTTP || null, genesisHash: process.env.VARA_GENESIS_HASH || null });
}
