// An agent paying for an MCP tool in VARA, offline, in one command: npm run demo:mcp (after
// npm run build). It starts a local Vara chain (the real runtime under chopsticks), funds
// //Alice, starts the paid tool server (server.mjs) over stdio and calls its tools with the
// SDK's own MCP Client, wrapped by x402-vara-wasm/mcp: the paid call is paid within the
// limit, after the consent hook saw the tool's name and arguments.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { fileURLToPath } from 'node:url';
import { wrapMCPClientWithPayment, getPaymentReceipt } from '../../dist/js/mcp.js';
import { VARA_TESTNET } from '../../dist/js/x402.js';
import { Keypair } from '../../dist/node/keypair.mjs';
import { startChain, waitUntil, VARA } from '../../tests/support/local-chain.mjs';
import { stdioEnv } from '../../tests/support/mcp-server.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const PRICE = 10_000_000_000n; // 0.01 VARA
const fmt = (planck) => `${Number(planck) / 1e12} VARA`;
const step = (n, text) => console.log(`\n[${n}] ${text}`);

step(1, 'starting a local Vara chain…');
const chain = await startChain();
const alice = Keypair.fromSuri('//Alice');
await chain.fund(alice.address, 1_000n * VARA);
await chain.fund(BOB, 100n * VARA);
console.log(`    ${chain.httpUrl}; the agent pays as //Alice, the seller is ${BOB}`);

step(2, 'starting the paid MCP tool server (stdio) and connecting the agent…');
const client = new Client({ name: 'vara-agent', version: '1.0.0' });
await client.connect(new StdioClientTransport({
  command: process.execPath, args: [fileURLToPath(new URL('server.mjs', import.meta.url))], stderr: 'inherit',
  env: { ...process.env, ...stdioEnv({ wsUrl: chain.wsUrl, genesisHash: chain.genesisHash, payTo: BOB, price: PRICE }) },
}));
try {
  const agent = wrapMCPClientWithPayment(client, alice, {
    rpcUrls: { [VARA_TESTNET]: chain.httpUrl },
    genesisHashes: { [VARA_TESTNET]: chain.genesisHash },
    maxAmount: { VARA: '50000000000' }, // 0.05 VARA per call at most
    onBeforePayment: ({ amount, payTo, mcp }) => {
      console.log(`    consent: ${mcp.name}(${JSON.stringify(mcp.arguments)}) asks ${fmt(amount)} for ${payTo}: yes`);
      return true;
    },
  });
  const { tools } = await agent.listTools();
  console.log(`    tools: ${tools.map((t) => `${t.name} (${t.description})`).join(', ')}`);

  step(3, 'calling the free tool, then the paid one…');
  console.log(`    hello → ${(await agent.callTool({ name: 'hello', arguments: {} })).content[0].text}`);
  const before = await chain.freeBalance(BOB);
  const result = await agent.callTool({ name: 'fortune', arguments: { name: 'Alice' } });
  console.log(`    fortune → ${result.content[0].text}`);

  step(4, 'the receipt');
  const receipt = getPaymentReceipt(result);
  console.log(`    paid ${fmt(receipt.summary.amount)} with nonce ${receipt.summary.nonce}; settled: ${receipt.settlement.success}, tx ${receipt.settlement.txHash}`);
  await waitUntil(async () => (await chain.freeBalance(BOB)) !== before);
  console.log(`    seller balance: ${fmt(before)} → ${fmt(await chain.freeBalance(BOB))}`);
} finally {
  await client.close();
  await chain.stop();
}
