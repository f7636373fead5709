import type { PaymentSigner, X402Options, PaymentPreview, PaymentReceipt, PaymentRequiredV2 } from 'x402-vara-wasm';

/** `params._meta` key of the `PaymentPayload` a paid request carries. */
export declare const MCP_PAYMENT_META_KEY: 'x402/payment';
/** `result._meta` key of the server's `SettlementResponse`. */
export declare const MCP_PAYMENT_RESPONSE_META_KEY: 'x402/payment-response';

/** Minimal shape of an @modelcontextprotocol/sdk `Client` (the SDK is not a dependency of this package). */
export interface MCPClientLike {
  callTool(params: { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> }, resultSchema?: any, options?: { signal?: AbortSignal; [key: string]: unknown }): Promise<any>;
  readResource(params: { uri: string; _meta?: Record<string, unknown> }, options?: { signal?: AbortSignal; [key: string]: unknown }): Promise<any>;
}

/** What asked for the payment: a tool call (its name and arguments) or a resource read. */
export type MCPPaymentRequest =
  | { method: 'tools/call'; name: string; arguments: Record<string, unknown> }
  | { method: 'resources/read'; uri: string };

/** The consent preview of an MCP payment: the core's preview and the request it pays for. */
export interface MCPPaymentPreview extends PaymentPreview { mcp: MCPPaymentRequest }

/** This package's options; `onBeforePayment` also sees the tool's name and arguments. */
export type MCPPaymentOptions = Omit<X402Options, 'onBeforePayment'> & {
  onBeforePayment?: (preview: MCPPaymentPreview) => boolean | void | Promise<boolean | void>;
};

/**
 * The same client, whose `callTool` and `readResource` pay what its server asks (x402 MCP
 * transport) within `options`. Errors from the payment request on are `X402Error`s; one
 * raised after the paid request carries `status`, `reason`, `receipt` and `result` (the
 * server's tool or resource result, when it answered with one).
 */
export function wrapMCPClientWithPayment<T extends MCPClientLike>(client: T, signer: PaymentSigner, options?: MCPPaymentOptions): T;

/** The `PaymentRequired` of a tool result (`isError` with `structuredContent` or `content[0].text`), else null. */
export function paymentRequiredOf(result: unknown): PaymentRequiredV2 | null;

/** The receipt of a tool or resource result this package paid for (or of a paid fetch Response), else undefined. */
export function getPaymentReceipt(value: unknown): PaymentReceipt | undefined;
