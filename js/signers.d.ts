import type { ExternalSigner, PaymentSigner } from 'x402-vara-wasm';

/** Minimal shape of an injected extension's signer (`injected.signer`). */
export interface InjectedSigner {
  signPayload(payload: object): Promise<{ id?: number; signature: string; signedTransaction?: string; metadataHash?: string }>;
}

export interface InjectedAccount { address: string; name?: string; type?: string; genesisHash?: string | null }

export function fromInjectedSigner(signer: InjectedSigner, address: string): ExternalSigner;

/** Connects to an injected Polkadot extension; `address` is matched by public key (any SS58
 *  prefix); without it, the first sr25519 account is used. */
export function connectExtension(options: {
  appName: string;
  source?: string;
  address?: string;
  injectedWeb3?: Record<string, { enable(appName: string): Promise<{ accounts: { get(): Promise<InjectedAccount[]> }; signer: InjectedSigner }> }>;
}): Promise<{ source: string; accounts: InjectedAccount[]; signer: ExternalSigner }>;

/** A polkadot-js keyring pair (sr25519). */
export function fromKeyringPair(pair: { address: string; type?: string; sign(message: Uint8Array): Uint8Array }): ExternalSigner;

/** A callback that signs the exact payload bytes (64-byte sr25519 or 65 bytes with 0x01, as bytes or hex). */
export function fromSignBytes(address: string, sign: (bytes: Uint8Array) => Uint8Array | string | Promise<Uint8Array | string>): ExternalSigner;

export function toSigner(signer: PaymentSigner): ExternalSigner;
