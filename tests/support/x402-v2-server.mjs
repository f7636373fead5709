// A seller speaking x402 version 2, built from the real SDK: an Express app protected by
// @x402/express's paymentMiddleware, the Vara `exact` scheme server, and the in-process
// polkadot-js facilitator that verifies and settles on the chain behind `api`.
//   GET /paid        native VARA (`price`)
//   GET /paid-id     the same, declaring the payment-identifier extension
//   GET /paid-token  a VFT (`tokenAsset`, `tokenPrice` in token units), when given
// Every paid request's PAYMENT-SIGNATURE is decoded into `served`. CORS is open and the x402
// headers exposed, for browser tests.
import { paymentMiddlewareFromHTTPServer, x402HTTPResourceServer, x402ResourceServer } from '@x402/express';
import { declarePaymentIdentifierExtension } from '@x402/extensions/payment-identifier';
import { VaraExactServer, VARA_TESTNET } from './vara-exact-server.mjs';
import { createVaraFacilitator } from './vara-facilitator.mjs';

export async function startV2Server({ api, genesisHash, payTo, price, tokenAsset, tokenPrice, network = VARA_TESTNET, facilitator }) {
  facilitator ??= createVaraFacilitator({ networks: { [network]: { api, genesisHash } } });
  const resourceServer = new x402ResourceServer(facilitator).register(network, new VaraExactServer());
  const accepts = (p) => ({ scheme: 'exact', network, payTo, price: p, maxTimeoutSeconds: 120 });
  const routes = {
    'GET /paid': { accepts: accepts({ amount: String(price), asset: 'vara' }), description: 'a paid joke', mimeType: 'application/json' },
    'GET /paid-id': {
      accepts: accepts({ amount: String(price), asset: 'vara' }), description: 'a paid joke, with a payment id',
      extensions: { 'payment-identifier': declarePaymentIdentifierExtension(true) },
    },
  };
  if (tokenAsset) routes['GET /paid-token'] = { accepts: accepts({ amount: String(tokenPrice), asset: tokenAsset, extra: { name: 'TOKEN', decimals: 6 } }), description: 'paid in tokens' };
  const httpServer = new x402HTTPResourceServer(resourceServer, routes);
  // Initialised here, not in the background: the middleware's background start calls
  // process.exit(1) on a configuration error.
  await httpServer.initialize();

  const { default: express } = await import('express');
  const app = express();
  app.use((req, res, next) => {
    res.set('Access-Control-Allow-Origin', '*');
    res.set('Access-Control-Allow-Headers', '*');
    res.set('Access-Control-Expose-Headers', 'PAYMENT-REQUIRED, PAYMENT-RESPONSE');
    if (req.method === 'OPTIONS') return res.sendStatus(204);
    next();
  });
  app.use(paymentMiddlewareFromHTTPServer(httpServer, undefined, undefined, false));
  const served = [];
  const serve = (body) => (req, res) => {
    served.push(JSON.parse(Buffer.from(req.header('payment-signature'), 'base64').toString('utf8')));
    res.json(body);
  };
  app.get('/paid', serve({ ok: true, joke: 'a VARA walks into a bar' }));
  app.get('/paid-id', serve({ ok: true, id: true }));
  app.get('/paid-token', serve({ ok: true, token: true }));
  app.get('/free', (req, res) => res.json({ free: true }));

  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  return {
    url: `http://127.0.0.1:${server.address().port}`, served, facilitator, network,
    async stop() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}
