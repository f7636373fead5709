//! TypeScript declarations for the JS-facing shapes. They are emitted into the generated
//! `.d.ts` next to the functions, whose parameters name these types.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Stable error codes carried by every `X402Error` (see the README's table). */
export type X402ErrorCode =
  | "MALFORMED_402" | "MALFORMED_HEADER" | "NO_ACCEPTABLE_REQUIREMENTS" | "AMOUNT_OVER_LIMIT" | "ZERO_AMOUNT"
  | "NETWORK_NOT_ALLOWED" | "ASSET_NOT_ALLOWED" | "RECIPIENT_NOT_ALLOWED" | "INVALID_ADDRESS"
  | "BELOW_EXISTENTIAL_DEPOSIT" | "INSUFFICIENT_BALANCE" | "SIGNER_REJECTED" | "INVALID_SIGNATURE" | "KEY_FREED"
  | "PAYMENT_REJECTED_BY_SERVER" | "SETTLEMENT_FAILED" | "RPC_ERROR" | "NETWORK_ERROR" | "TIMEOUT" | "ABORTED"
  | "WRONG_CHAIN" | "UNSUPPORTED_RUNTIME" | "INVALID_SECRET" | "REQUEST_NOT_REPLAYABLE" | "PAYMENT_MISMATCH"
  | "SELF_CHECK_FAILED" | "INVALID_OPTIONS" | "NOT_READY";

/** Every error this package throws is an `Error` with `name === "X402Error"` and a `code`. */
export interface X402Error extends Error { name: "X402Error"; code: X402ErrorCode }

export type VaraNetwork = "vara" | "vara-testnet";

/** One entry of a 402 body's `accepts` (x402 version 1). */
export interface PaymentRequirements {
  scheme: "exact" | string;
  network: VaraNetwork | string;
  /** Smallest unit, decimal string (1 VARA = "1000000000000"). */
  maxAmountRequired: string;
  resource: string;
  description?: string;
  mimeType?: string;
  outputSchema?: unknown;
  /** SS58 address or 0x public key. */
  payTo: string;
  maxTimeoutSeconds: number;
  /** Absent: native VARA. A 0x program id: a VFT token. */
  asset?: string;
  extra?: Record<string, unknown> | null;
}

/** The JSON body of a 402 answer. */
export interface PaymentRequired { x402Version: 1; accepts: PaymentRequirements[]; error?: string }

/** polkadot-js's SignerPayloadJSON as the reference client writes it. */
export interface SignerPayloadJSON {
  specVersion: string; transactionVersion: string; address: string; blockHash: string; blockNumber: string;
  era: string; genesisHash: string; method: string; nonce: string; signedExtensions: string[]; tip: string;
  version: number; mode?: number; metadataHash?: string;
}

/** The decoded `X-PAYMENT` header. */
export interface PaymentPayload {
  x402Version: 1; scheme: "exact"; network: VaraNetwork;
  payload: { transaction: SignerPayloadJSON; signature: string };
  asset?: string;
}

/** A signer outside the wasm: an extension's signer, or any callback. `bytes` are the exact
 *  bytes to sign (already hashed when over 256 bytes); extensions ignore them. */
export interface ExternalSigner {
  address: string;
  signPayload(payload: SignerPayloadJSON, bytes: Uint8Array): Promise<{ signature: string; metadataHash?: string }>;
}

export type PaymentSigner = Keypair | ExternalSigner;

/** What `onBeforePayment` is shown, before anything is signed. `nonce` is the expected one
 *  (an earlier payment refused by its server can change it). */
export interface PaymentPreview {
  network: VaraNetwork; payer: string; payTo: string; amount: string; asset: string | null;
  resource: string; description: string; nonce: number; eraPeriod: number | null; validFrom: number;
  validUntil: number | null; extra: Record<string, unknown> | null;
}

/** A signed payment, decoded and checked. */
export interface PaymentSummary {
  network: VaraNetwork; payer: string; payTo: string; amount: string; asset: string | null; nonce: number;
  eraPeriod: number | null; validFrom: number; validUntil: number | null; blockHash: string;
  specVersion: number; tip: string; gasLimit: number | null;
}

/** The server's settlement answer (either reference middleware). */
export interface SettlementReceipt { success: boolean; txHash?: string; networkId?: string; error?: string }

export interface PaymentReceipt { summary: PaymentSummary; settlement: SettlementReceipt | null; header: string }

export interface X402Options {
  /** Network → HTTP(S) JSON-RPC URL, or several tried in order (failover).
   *  Defaults: https://rpc.vara.network, https://testnet.vara.network. */
  rpcUrls?: Partial<Record<VaraNetwork, string | string[]>>;
  /** Network → expected genesis hash (a local chain). The node's genesis must match. */
  genesisHashes?: Partial<Record<VaraNetwork, string>>;
  /** "VARA" or a VFT program id → the most to pay, smallest unit. Default: 0.1 VARA, no tokens. */
  maxAmount?: Record<string, string>;
  /** Default: both Vara networks. */
  networks?: VaraNetwork[];
  /** When set, only these recipients are paid. */
  recipients?: string[];
  /** Mortality in blocks: a power of two within 4..4096. Default 64. */
  eraPeriod?: number;
  /** Bound on each JSON-RPC request, in ms (a hanging node ends in TIMEOUT, then the next URL). Default 10000. */
  timeoutMs?: number;
  /** Sign even where the node's metadata contradicts the known layout of Vara's payment calls. Default false. */
  trustNodeMetadata?: boolean;
  /** Stops the payment (createPaymentHeader, sendWithPayment); the fetch wrapper uses the request's signal. */
  signal?: AbortSignal;
  tip?: string;
  /** Token payments: "calculate" (node's estimate + margin, default), "max", or a number. */
  gasLimit?: "calculate" | "max" | number;
  gasMarginPercent?: number;
  /** Refuse native payments below the existential deposit to accounts that do not exist. Default true. */
  checkExistentialDeposit?: boolean;
  /** Asked before signing; resolve `false` (or throw) to refuse. */
  onBeforePayment?: (preview: PaymentPreview) => boolean | void | Promise<boolean | void>;
  /** Overrides the choice among `accepts`; the limits still apply to what it returns. */
  selectRequirements?: (accepts: PaymentRequirements[], policyChoice: PaymentRequirements | null) =>
    PaymentRequirements | null | undefined | Promise<PaymentRequirements | null | undefined>;
  /** fetch used for JSON-RPC (default: globalThis.fetch). */
  rpcFetch?: typeof fetch;
}

/** Options of the Keypair constructors. */
export interface KeyOptions {
  /** Allow publicly known keys: an empty SURI (the development root key) or an all-zero seed. */
  allowDevelopmentKeys?: boolean;
}

/** What `sendWithPayment` resolves to: `result` is what `send` resolved to. */
export interface SentPayment<R = unknown> { result: R; header: string; payload: PaymentPayload; summary: PaymentSummary }

export interface CreatedPayment {
  header: string; payload: PaymentPayload; summary: PaymentSummary; requirements: PaymentRequirements;
}
"#;
