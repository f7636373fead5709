//! TypeScript declarations for the JS-facing shapes. They are emitted into the generated
//! `.d.ts` next to the functions, whose parameters name these types.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Stable error codes carried by every `X402Error` (see the README's table). */
export type X402ErrorCode =
  | "MALFORMED_402" | "MALFORMED_HEADER" | "NO_ACCEPTABLE_REQUIREMENTS" | "AMOUNT_OVER_LIMIT" | "ZERO_AMOUNT"
  | "NETWORK_NOT_ALLOWED" | "ASSET_NOT_ALLOWED" | "UNSUPPORTED_ASSET" | "RECIPIENT_NOT_ALLOWED" | "INVALID_ADDRESS"
  | "BELOW_EXISTENTIAL_DEPOSIT" | "INSUFFICIENT_BALANCE" | "SIGNER_REJECTED" | "INVALID_SIGNATURE" | "KEY_FREED"
  | "PAYMENT_REJECTED_BY_SERVER" | "SETTLEMENT_FAILED" | "PAID_NOT_SERVED" | "BUDGET_EXCEEDED" | "CROSS_ORIGIN_REDIRECT" | "RPC_ERROR" | "NETWORK_ERROR" | "TIMEOUT" | "ABORTED"
  | "WRONG_CHAIN" | "UNSUPPORTED_RUNTIME" | "INVALID_SECRET" | "REQUEST_NOT_REPLAYABLE" | "PAYMENT_MISMATCH"
  | "SELF_CHECK_FAILED" | "INVALID_OPTIONS" | "NOT_READY" | "WALLET_NOT_FOUND" | "NO_USABLE_ACCOUNT"
  | "COORDINATOR_ERROR";

/** Every error this package throws: an `Error` with `name === "X402Error"` and a stable `code`.
 *  Errors after paying carry the server's `status`, its `reason` and the payment's `receipt`. */
export declare class X402Error extends Error {
  constructor(code: X402ErrorCode, message: string, options?: { cause?: unknown });
  readonly name: "X402Error";
  readonly code: X402ErrorCode;
  status?: number;
  reason?: string;
  receipt?: PaymentReceipt;
  /** Structured facts (BUDGET_EXCEEDED: `window`, `asset`, `cap`, `used`, `left`, `reopensAtMs`). */
  details?: Record<string, unknown>;
}

/** True for an X402Error from any copy of this package, even from another realm. */
export declare function isX402Error(value: unknown): value is X402Error;

/** x402 v1 network names of Vara. */
export type VaraNetwork = "vara" | "vara-testnet";
/** x402 v2 (CAIP-2) ids of Vara: mainnet, testnet. */
export type VaraCaip2 = "polkadot:fe1b4c55fd4d668101126434206571a7" | "polkadot:525639f713f397dcf839bd022cd821f3";
/** Every way a Vara network is named, in options, limits and receipts. */
export type NetworkName = VaraNetwork | VaraCaip2;
/** A VFT (Sails fungible token) program id. */
export type ProgramId = `0x${string}`;
/** An amount in the smallest unit (1 VARA = 1000000000000): a decimal string, a BigInt or a
 *  safe integer. */
export type Amount = string | bigint | number;

/** One entry of a 402 body's `accepts` (x402 version 1). */
export interface PaymentRequirements {
  scheme: "exact" | (string & {});
  network: NetworkName | (string & {});
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

/** The JSON body of a 402 answer (x402 version 1). */
export interface PaymentRequired { x402Version: 1; accepts: PaymentRequirements[]; error?: string }

/** One entry of `accepts` in x402 version 2. `asset` is "vara" for VARA or a program id. */
export interface PaymentRequirementsV2 {
  scheme: "exact" | (string & {});
  network: NetworkName | (string & {});
  /** Smallest unit, decimal string. */
  amount: string;
  asset: "vara" | ProgramId | (string & {});
  payTo: string;
  maxTimeoutSeconds: number;
  extra?: Record<string, unknown> | null;
}

/** An x402 v2 extension as a server offers it. */
export interface X402Extension { info: Record<string, unknown>; schema?: unknown }

/** The content of a v2 `PAYMENT-REQUIRED` header. */
export interface PaymentRequiredV2 {
  x402Version: 2;
  error?: string;
  resource?: { url: string; description?: string; mimeType?: string };
  accepts: PaymentRequirementsV2[];
  extensions?: Record<string, X402Extension>;
}

/** polkadot-js's SignerPayloadJSON as the reference client writes it. */
export interface SignerPayloadJSON {
  specVersion: string; transactionVersion: string; address: string; blockHash: string; blockNumber: string;
  era: string; genesisHash: string; method: string; nonce: string; signedExtensions: string[]; tip: string;
  version: number; mode?: number; metadataHash?: string;
}

/** The Vara `exact` scheme's payload, the same in both versions. */
export interface ExactVaraPayload { transaction: SignerPayloadJSON; signature: string }

/** The decoded `X-PAYMENT` header (x402 v1). */
export interface PaymentPayload {
  x402Version: 1; scheme: "exact"; network: NetworkName;
  payload: ExactVaraPayload;
  asset?: string;
}

/** The decoded `PAYMENT-SIGNATURE` header (x402 v2). */
export interface PaymentPayloadV2 {
  x402Version: 2;
  resource?: PaymentRequiredV2["resource"];
  accepted: PaymentRequirementsV2;
  payload: ExactVaraPayload;
  extensions?: Record<string, X402Extension>;
}

/** The account kinds that can pay on Vara (`MultiSignature`). */
export type KeyType = "sr25519" | "ed25519" | "ecdsa";

/** What an extension signer resolves to: a signature (typed, or bare of the signer's `type`),
 *  or the transaction it signed (`signedTransaction`, when it changed the payload, as Ledger
 *  accounts do); either is checked against the payload before use. */
export interface SignPayloadResult { signature?: string | Uint8Array; signedTransaction?: string | Uint8Array; metadataHash?: string }

/** A signer outside the payment wasm: an extension's signer, a `Keypair`, or any callback.
 *  `bytes` are the exact bytes to sign (already hashed when over 256 bytes); extensions ignore
 *  them and rebuild the bytes from the payload. */
export interface ExternalSigner {
  address: string;
  /** What a bare signature is (default: sr25519 or ed25519, whichever verifies). */
  type?: KeyType;
  signPayload(payload: SignerPayloadJSON, bytes: Uint8Array): Promise<SignPayloadResult> | SignPayloadResult;
}

/** A polkadot-js keyring pair, or anything that signs raw bytes (64 bytes back, 65 for
 *  ecdsa, or one more with the type byte). */
export interface KeyringPairLike {
  address: string;
  type?: string;
  sign(message: Uint8Array): Uint8Array | string | Promise<Uint8Array | string>;
}

/** A polkadot-api `PolkadotSigner` (@polkadot-api/signer, @polkadot-api/pjs-signer, hardware
 *  wallet packages): the client hands it the call, the signed-extension values and the
 *  metadata (V15 where the runtime has CheckMetadataHash) and checks the transaction it returns. */
export interface PolkadotSignerLike {
  publicKey: Uint8Array;
  signTx(callData: Uint8Array, signedExtensions: Record<string, { identifier: string; value: Uint8Array; additionalSigned: Uint8Array }>,
    metadata: Uint8Array, atBlockNumber: number, hasher?: (data: Uint8Array) => Uint8Array): Promise<Uint8Array>;
  signBytes?(data: Uint8Array): Promise<Uint8Array>;
}

/** Every signer form: a `Keypair` (from `x402-vara-wasm/keypair`), an extension signer
 *  (`connectExtension`), a keyring pair, a polkadot-api signer. */
export type PaymentSigner = ExternalSigner | KeyringPairLike | PolkadotSignerLike;

/** What `onBeforePayment` is shown, before anything is signed. `nonce` is the expected one
 *  (an earlier payment refused by its server can change it). */
export interface PaymentPreview {
  network: NetworkName; payer: string; payTo: string; amount: string; asset: string | null;
  /** A token's facts: its program's word, the server's `extra` where the program is silent. */
  token: TokenInfo | null;
  resource: string; description: string; nonce: number; eraPeriod: number | null; validFrom: number;
  validUntil: number | null; extra: Record<string, unknown> | null;
  /** What the budget leaves for this payment's asset (smallest unit), when a budget is set. */
  budgetLeft: { perHour: string | null; perDay: string | null; total: string | null } | null;
}

/** A VFT's facts read from its program; `amount` is the payment's amount in the token's units
 *  (exact decimals, `null` when no decimals are known). */
export interface TokenInfo { symbol: string | null; name: string | null; decimals: number | null; amount: string | null }

/** A signed payment, decoded and checked. `amount` and `tip` are in the smallest unit. */
export interface PaymentSummary {
  /** The v1 name; `networkId` is the same network's CAIP-2 id (what v2 servers name). */
  network: VaraNetwork; networkId: VaraCaip2; payer: string; payTo: string; amount: string; asset: string | null; nonce: number;
  eraPeriod: number | null; validFrom: number; validUntil: number | null; blockHash: string;
  specVersion: number; tip: string; gasLimit: number | null;
  /** Token payments built by this client: the token's facts (`null` for VARA and for decoded headers). */
  token: TokenInfo | null;
}

/** The server's settlement answer, one shape for v1 (either reference middleware) and v2
 *  (`PAYMENT-RESPONSE`: `transaction` → `txHash`, `network` → `networkId`, `errorReason` → `error`). */
export interface SettlementReceipt { success: boolean; txHash?: string; networkId?: string; error?: string; payer?: string }

/** The chain's word on a payment: `executed` (the call ran), `failed` (included, only the fee
 *  was taken), `dead` (never included: `reason` is `nonce-used` or `era-ended`). */
export interface ChainVerdict {
  status: "executed" | "failed" | "dead";
  blockNumber: number | null; blockHash: string | null; index: number | null;
  reason: "nonce-used" | "era-ended" | null;
}

/** What `getPaymentReceipt(response)` gives for a paid response. `settlement` is the seller's
 *  word; `chain` the chain's (null while pending: `confirmPayment(receipt)` waits for it). */
export interface PaymentReceipt {
  summary: PaymentSummary; settlement: SettlementReceipt | null; header: string;
  entryId: string; ledgerId: number; chain: ChainVerdict | null;
}

/** One payment in a `PaymentLedger`. Amounts are exact decimal strings, times epoch ms. */
export interface LedgerEntry {
  id: string;
  stage: "reserved" | "signed" | "handed" | "answered" | "executed" | "dead" | "released";
  method: string; url: string; origin: string; idempotencyKey: string | null; budget: string | null;
  network: VaraNetwork; networkId: VaraCaip2; asset: string | null; amount: string; payTo: string; payer: string;
  nonce: number | null; txHash: string | null; validFrom: number | null; validUntil: number | null;
  answer: { status: number | null; claimedSuccess: boolean | null; claimedTxHash: string | null; reason: string | null } | null;
  chain: ChainVerdict | null;
  notes: string[];
  createdMs: number; updatedMs: number;
}

/** Where a `PaymentLedger` keeps its entries: `load()` gives what `append(line)` stored
 *  (a string of JSON lines, or an array of lines). See `x402-vara-wasm/file-store` (Node) and
 *  `x402-vara-wasm/idb-store` (browsers). */
export interface LedgerStore {
  load(): string | string[] | Promise<string | string[]>;
  append(line: string): void | Promise<void>;
}

export interface LedgerOptions {
  store?: LedgerStore;
  /** Told when the store fails to append (the payment goes on; the entry stays in memory). */
  onError?: (error: unknown) => void;
}

/** Caps for one asset, smallest unit. */
export interface BudgetCaps { perHour?: Amount; perDay?: Amount; total?: Amount }

/** Caps on what payments may spend: `VARA` and token program ids → caps; `scope` sums them
 *  over every seller (`all`, default), per seller origin, or per `payTo`. One object is one
 *  budget: pass the same object to every wrapper that shares it. A budget counts the ledger
 *  entries reserved under its `name`: name it to resume its windows from a persisted ledger.
 *  With `coordinator`, a named budget is one budget for the fleet (kept in Redis under its
 *  name); an unnamed one is refused there. */
export type BudgetLimits = { VARA?: BudgetCaps; scope?: "all" | "origin" | "payTo"; name?: string } & { [program: ProgramId]: BudgetCaps };

/** What `send` resolves to for `sendWithPayment`: the seller's HTTP status, its settlement
 *  header (`PAYMENT-RESPONSE` / `X-PAYMENT-RESPONSE`) and error text, if any. */
export interface SendOutcome { status: number; paymentResponse?: string | null; reason?: string; [key: string]: unknown }

/** Limits: "VARA" and VFT program ids → the most to pay per request, smallest unit. */
export type MaxAmount = { VARA?: Amount } & { [program: ProgramId]: Amount };

export interface X402Options {
  /** Network → HTTP(S) JSON-RPC URL, or several tried in order (failover).
   *  Defaults: https://rpc.vara.network, https://testnet.vara.network. */
  rpcUrls?: Partial<Record<NetworkName, string | string[]>>;
  /** Network → expected genesis hash (a local or custom chain). Every node must report it. */
  genesisHashes?: Partial<Record<NetworkName, string>>;
  /** The most to pay per request. Default: { VARA: "100000000000" } (0.1 VARA), no tokens. */
  maxAmount?: MaxAmount;
  /** Networks that may be paid on. Default: the networks `rpcUrls` and `genesisHashes` name;
   *  when they name none, both Vara networks. */
  networks?: NetworkName[];
  /** When set, only these recipients are paid. */
  recipients?: string[];
  /** Mortality in blocks: a power of two within 4..4096. Default 64. */
  eraPeriod?: number;
  /** Bound on each JSON-RPC request, in ms (a hanging node ends in TIMEOUT, then the next URL). Default 10000. */
  timeoutMs?: number;
  /** Bound on reading a seller's 402 body and its error body after paying, in ms (then TIMEOUT). Default 10000. */
  bodyTimeoutMs?: number;
  /** Sign even where the node's metadata contradicts the known layout of Vara's payment calls. Default false. */
  trustNodeMetadata?: boolean;
  /** Sign with CheckMetadataHash mode 1 (the runtime's RFC-78 metadata digest, which the chain
   *  checks). Default: on the public Vara networks, off on other chains (a dev runtime built
   *  without the hash refuses mode 1). */
  metadataHash?: boolean;
  /** Stops the payment (createPaymentHeader, sendWithPayment); the fetch wrapper uses the request's signal. */
  signal?: AbortSignal;
  /** Tip to the block author, smallest unit. Default 0. */
  tip?: Amount;
  /** Token payments: "calculate" (node's estimate + margin, default), "max", or a number. */
  gasLimit?: "calculate" | "max" | number;
  /** Margin added to the node's gas estimate, percent (0..1000). Default 20. */
  gasMarginPercent?: number;
  /** Refuse native payments below the existential deposit to accounts that do not exist. Default true. */
  checkExistentialDeposit?: boolean;
  /** Asked before signing; resolve `false` (or throw) to refuse. */
  onBeforePayment?: (preview: PaymentPreview) => boolean | void | Promise<boolean | void>;
  /** Overrides the choice among `accepts`; the limits still apply to what it returns. */
  selectRequirements?: (accepts: (PaymentRequirements | PaymentRequirementsV2)[], policyChoice: PaymentRequirements | PaymentRequirementsV2 | null) =>
    PaymentRequirements | PaymentRequirementsV2 | null | undefined | Promise<PaymentRequirements | PaymentRequirementsV2 | null | undefined>;
  /** fetch used for JSON-RPC (default: globalThis.fetch). */
  rpcFetch?: typeof fetch;
  /** Where payments are recorded. Default: the realm's `PaymentLedger.default()`. */
  ledger?: PaymentLedger;
  /** Caps over what these payments may spend (see `BudgetLimits`). */
  budget?: BudgetLimits;
  /** How long a payment waits for the one ahead of it once that one's seller has it and has
   *  not answered, in ms. Default 10000. */
  turnTimeoutMs?: number;
  /** How long a refused or unanswered payment waits for the chain's verdict before the error
   *  is reported, in ms. Default 3000. */
  confirmWaitMs?: number;
  /** A fleet's coordinator (`redisCoordinator(client)` from `x402-vara-wasm/redis`): processes
   *  paying from one account share its nonce lane, balance check and named `budget` through it. */
  coordinator?: Coordinator;
}

/** A fleet's coordinator: a store with two atomic operations and a clock; the rules stay in
 *  the payment core. */
export interface Coordinator {
  readonly kind: "x402-vara-coordinator";
  readonly prefix: string;
  readonly leaseMs: number;
  load(key: string): Promise<{ text: string | null; version: number; nowMs: number }>;
  swap(key: string, version: number, text: string, ttlMs: number): Promise<boolean>;
}

/** Requirements as `createPaymentHeader` and `sendWithPayment` take them: a whole 402 answer
 *  of either version, one entry, a v1 body as JSON text, or the value of a v2
 *  `PAYMENT-REQUIRED` header (base64). */
export type AnyRequirements = PaymentRequired | PaymentRequirements | PaymentRequiredV2 | PaymentRequirementsV2 | string;

/** What `sendWithPayment` resolves to: `result` is what `send` resolved to. */
export interface SentPayment<R = unknown> {
  result: R; header: string; headerName: "X-PAYMENT" | "PAYMENT-SIGNATURE";
  payload: PaymentPayload | PaymentPayloadV2; summary: PaymentSummary; receipt: PaymentReceipt;
}

export interface CreatedPayment {
  header: string; headerName: "X-PAYMENT" | "PAYMENT-SIGNATURE";
  payload: PaymentPayload | PaymentPayloadV2; summary: PaymentSummary;
  requirements: PaymentRequirements | PaymentRequirementsV2;
  /** Its entry in the ledger (stage `handed`; the chain watcher confirms it). */
  entryId: string;
}
"#;
