import type { PaymentSigner, X402Options, PaymentRequirements as PaymentRequirementsV1 } from 'x402-vara-wasm';

export declare const VARA_MAINNET: 'polkadot:fe1b4c55fd4d668101126434206571a7';
export declare const VARA_TESTNET: 'polkadot:525639f713f397dcf839bd022cd821f3';
/** The v2 `asset` of native VARA (compared case-insensitively); a VFT is its 0x program id. */
export declare const VARA_ASSET: 'vara';

/** A USD-pegged VFT the SDK's spend controls know (structurally @x402/core's `DefaultAsset`). */
export interface VaraDefaultAsset { asset: string; decimals: number; symbol: string }

/** WUSDC and WUSDT (the Vara bridge's tokens, 6 decimals) on mainnet and testnet, by CAIP-2 id. */
export declare const VARA_DEFAULT_ASSETS: Readonly<Record<typeof VARA_MAINNET | typeof VARA_TESTNET, readonly VaraDefaultAsset[]>>;

/** The default asset entry for a program id on a network (v1 name or CAIP-2 id), if it is one. */
export function findDefaultAsset(asset: string, network: string): VaraDefaultAsset | undefined;

/** One v2 `accepts` entry as @x402/core passes it (structurally its `PaymentRequirements`). */
export interface VaraPaymentRequirementsV2 {
  scheme: string;
  network: string;
  /** Smallest unit, decimal string (1 VARA = "1000000000000"). */
  amount: string;
  /** "vara" for native VARA, or a VFT program id (0x + 64 hex). */
  asset: string;
  payTo: string;
  maxTimeoutSeconds: number;
  extra: Record<string, unknown>;
}

/** What @x402/core hands a scheme client (`PaymentPayloadContext`). */
export interface VaraPaymentPayloadContext {
  extensions?: Record<string, unknown>;
  /** The SDK's spend cap in atomic units; the lower of it and `maxAmount` wins (a token not in
   *  `maxAmount` is paid up to it). */
  maxAmountPerPayment?: string;
}

/** Structurally @x402/core's `SchemeNetworkClient`. */
export interface VaraExactSchemeClient {
  readonly scheme: 'exact';
  /** Lets the SDK cap WUSDC/WUSDT at its default "$1" (`spendControls.maxAmountPerPayment`). */
  findDefaultAsset(asset: string, network: string): VaraDefaultAsset | undefined;
  /** `onPaymentResponse` gives a refused payment's nonce back to the payer's next payment. */
  readonly schemeHooks: { onPaymentResponse(ctx: { paymentPayload: unknown; settleResponse?: { success: boolean }; paymentRequired?: unknown; error?: Error }): Promise<void> };
  createPaymentPayload(
    x402Version: number,
    requirements: VaraPaymentRequirementsV2 | PaymentRequirementsV1,
    context?: VaraPaymentPayloadContext,
  ): Promise<{ x402Version: number; payload: Record<string, unknown>; extensions?: Record<string, unknown> }>;
}

/** The Vara `exact` scheme for `x402Client.register('polkadot:…', …)` / `registerV1('vara-testnet', …)`. */
export function varaExactScheme(
  signer: PaymentSigner | { address: string; sign(message: Uint8Array): Uint8Array },
  options?: X402Options,
): VaraExactSchemeClient;

/** `options` with the SDK's cap for `asset` folded into `maxAmount` (the lower wins; a token
 *  not in `maxAmount` gets the cap as its limit). */
export function withSpendCap(options: X402Options, asset: string | null | undefined, cap: string | null | undefined): X402Options;
