// The REFERENCE x402 server and facilitator (npm x402-vara 0.3.3): its Express
// `requirePayment` with its own verify/settle (polkadot-js + @gear-js/api), pointed at the
// local chain through its exported RpcMap. Its compiled ESM uses extensionless relative
// imports that plain Node 20 cannot load, so its own files are bundled with esbuild (cached
// next to it); its dependencies stay ordinary node_modules imports.
import { build } from 'esbuild';
import { existsSync, mkdirSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Inside the package's folder, so that its dependencies resolve exactly as they would for
// the package itself (it nests its own @polkadot/util 13, sails-js and zod).
const outDir = path.join(root, 'node_modules/x402-vara/.bundle');
const entry = path.join(outDir, 'entry.mjs');
const bundle = path.join(outDir, 'x402-vara.bundle.mjs');

/** x402-vara's server, facilitator and client functions, from one bundle (one RpcMap). */
export async function loadReference() {
  const pkg = path.join(root, 'node_modules/x402-vara/package.json');
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < statSync(pkg).mtimeMs) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(entry, [
      "export { requirePayment } from 'x402-vara/express';",
      "export { RpcMap, useApi, decodePaymentHeader } from 'x402-vara/utils';",
      "export { verifyWithApi, settleWithApi } from 'x402-vara/server';",
      "export { withX402Interceptor } from 'x402-vara/client';",
    ].join('\n'));
    await build({
      entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error',
      absWorkingDir: root,
      external: ['express', '@polkadot/*', '@gear-js/*', 'axios', 'sails-js', 'zod', 'next', 'next/*', 'rxjs'],
    });
  }
  return import(pathToFileURL(bundle).href);
}

/**
 * Starts an Express app on 127.0.0.1 protected by the reference `requirePayment`:
 * GET /paid (native VARA) and, with `tokenAsset`, GET /paid-token. CORS is open and the
 * receipt header exposed, for browser tests.
 */
export async function startReferenceServer({ wsUrl, payTo, price, tokenAsset, tokenPrice, network = 'vara-testnet' }) {
  const ref = await loadReference();
  ref.RpcMap[network] = wsUrl;
  const { default: express } = await import('express');
  const app = express();
  app.use((req, res, next) => {
    res.set('Access-Control-Allow-Origin', '*');
    res.set('Access-Control-Allow-Headers', '*');
    res.set('Access-Control-Expose-Headers', 'X-PAYMENT-RESPONSE');
    if (req.method === 'OPTIONS') return res.sendStatus(204);
    next();
  });
  const served = [];
  app.get('/paid', ref.requirePayment({ price, network, payTo, description: 'a paid joke' }), (req, res) => {
    served.push(req.headers['x-payment']);
    res.json({ ok: true, joke: 'a VARA walks into a bar' });
  });
  if (tokenAsset) {
    app.get('/paid-token', ref.requirePayment({ price: tokenPrice ?? price, network, payTo, asset: tokenAsset, description: 'paid in tokens' }),
      (req, res) => res.json({ ok: true, token: true }));
  }
  app.get('/free', (req, res) => res.json({ free: true }));
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url, served, reference: ref,
    async stop() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
      const api = await ref.useApi(network).catch(() => null);
      await api?.disconnect?.().catch(() => {});
    },
  };
}

/**
 * A local chain with //Alice (1000 VARA) and the seller (100 VARA) funded, and the reference
 * server selling GET /paid to the seller at `price`: what every page test pays.
 */
export async function startLocalShop({ payTo, price }) {
  const { startChain, VARA } = await import('./local-chain.mjs');
  const chain = await startChain();
  let server;
  try {
    await chain.fund('kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW', 1000n * VARA);
    await chain.fund(payTo, 100n * VARA);
    server = await startReferenceServer({ wsUrl: chain.wsUrl, payTo, price: String(price) });
  } catch (e) {
    await chain.stop();
    throw e;
  }
  return { chain, server, async stop() { await server.stop(); await chain.stop(); } };
}
