// The seller side: the reference x402-vara Next.js middleware protects /api/paid and asks
// the facilitator (this app's own /api/facilitator routes) to verify and settle payments.
import { paymentMiddleware } from 'x402-vara/next';

const PAY_TO = process.env.X402_PAY_TO ?? 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const FACILITATOR = process.env.X402_FACILITATOR_URL ?? 'http://localhost:3000/api/facilitator';

export const proxy = paymentMiddleware(
  PAY_TO,
  { '/api/paid': { price: process.env.X402_PRICE ?? '10000000000', network: 'vara-testnet', config: { description: 'A paid joke' } } },
  { url: FACILITATOR },
);

export const config = { matcher: ['/api/paid'] };
