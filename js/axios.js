// Axios interceptor: a drop-in for x402-vara's `withX402Interceptor(axios, signer)`, built on
// the same wasm core as the fetch wrapper, with the same limits and the same loop guard.
import { createPaymentHeader, parsePaymentResponse } from 'x402-vara-wasm';
import { toSigner } from './signers.js';

// A plain key: axios's mergeConfig keeps unknown string keys (not symbols) on the retry.
const RETRIED = '__x402Retried';

function x402Error(code, message) {
  const e = new Error(message);
  e.name = 'X402Error';
  e.code = code;
  return e;
}

export function withX402Interceptor(axiosClient, signer, options = {}) {
  const payer = toSigner(signer);
  axiosClient.interceptors.response.use(
    (response) => response,
    async (error) => {
      const response = error && error.response;
      if (!response || response.status !== 402 || !error.config) throw error;
      if (error.config[RETRIED]) {
        throw x402Error('PAYMENT_REJECTED_BY_SERVER', 'the server answered 402 again after payment');
      }
      const { header, summary } = await createPaymentHeader(response.data, payer, options);
      const config = { ...error.config, [RETRIED]: true };
      config.headers = { ...(error.config.headers?.toJSON?.() ?? error.config.headers), 'X-PAYMENT': header };
      const paid = await axiosClient.request(config);
      const settlement = paid.headers?.['x-payment-response'];
      paid.x402 = { summary, settlement: settlement ? parsePaymentResponse(settlement) : null, header };
      return paid;
    },
  );
  return axiosClient;
}
