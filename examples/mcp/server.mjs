// The seller: a paid MCP tool server. One tool, `fortune`, costs the price the agent's launcher
// sets (X402_MCP_PRICE); each call is verified before the tool runs and settled on chain after,
// by @x402/core's resource server and the Vara facilitator (tests/support), as an @x402/mcp
// server does it. Speaks MCP over stdio: examples/mcp/agent.mjs starts it.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { paymentWrapper, serveStdio } from '../../tests/support/mcp-server.mjs';

const FORTUNES = ['a block will include you soon', 'your nonce is next in line', 'an era of plenty is near'];

await serveStdio(({ resourceServer, accepts }) => {
  const server = new McpServer({ name: 'vara-fortunes', version: '1.0.0' });
  const paid = paymentWrapper(resourceServer, {
    accepts, resource: { url: 'mcp://tool/fortune', description: 'A fortune, told for VARA', mimeType: 'text/plain' },
  });
  server.registerTool('fortune', { description: 'Tells your fortune (paid, in VARA)', inputSchema: { name: z.string() } },
    paid(async ({ name }) => ({ content: [{ type: 'text', text: `${name}: ${FORTUNES[name.length % FORTUNES.length]}.` }] })));
  server.registerTool('hello', { description: 'Says hello (free)' }, async () => ({ content: [{ type: 'text', text: 'hello' }] }));
  return server;
});
