import type { PaymentSigner, X402Options, PaymentSummary, SettlementReceipt } from 'x402-vara-wasm';

/** Minimal shape of an Axios instance (axios is not a dependency of this package). */
export interface AxiosLike {
  interceptors: {
    request: { use(onFulfilled: (c: any) => any): number };
    response: { use(onFulfilled: (r: any) => any, onRejected: (e: any) => any): number };
  };
  request(config: any): Promise<any>;
}

/** Paid Axios responses carry `x402` with the payment summary and the server's receipt. */
export interface X402AxiosInfo { summary: PaymentSummary; settlement: SettlementReceipt | null; header: string }

declare module 'axios' {
  interface AxiosResponse {
    /** Set on responses this package paid for. */
    x402?: X402AxiosInfo;
  }
}

/** Pays 402 answers of this Axios instance within `options`' limits (same argument order as x402-vara's). */
export function withX402Interceptor<T extends AxiosLike>(axiosClient: T, signer: PaymentSigner, options?: X402Options): T;
