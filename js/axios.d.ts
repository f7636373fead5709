import type { PaymentSigner, X402Options, PaymentReceipt } from 'x402-vara-wasm';

/** Minimal shape of an Axios instance (axios is not a dependency of this package). */
export interface AxiosLike {
  interceptors: {
    request: { use(onFulfilled: (c: any) => any): number };
    response: { use(onFulfilled: (r: any) => any, onRejected: (e: any) => any): number };
  };
  request(config: any): Promise<any>;
  getUri?(config?: any): string;
}

/** Paid Axios responses carry `x402`: the payment's receipt (summary, the server's settlement
 *  claim, the header, its ledger entry and the chain's verdict so far). */
export type X402AxiosInfo = PaymentReceipt;

declare module 'axios' {
  interface AxiosResponse {
    /** Set on responses this package paid for. */
    x402?: X402AxiosInfo;
  }
}

/** Pays 402 answers of this Axios instance within `options`' limits (same argument order as x402-vara's). */
export function withX402Interceptor<T extends AxiosLike>(axiosClient: T, signer: PaymentSigner, options?: X402Options): T;
