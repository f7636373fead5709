import type { ExternalSigner, KeyType, PaymentSigner, PolkadotSignerLike } from 'x402-vara-wasm';

/** Minimal shape of an injected extension's signer (`injected.signer`). */
export interface InjectedSigner {
  signPayload(payload: object): Promise<{ id?: number; signature: string; signedTransaction?: string | Uint8Array; metadataHash?: string }>;
}

export interface InjectedAccount { address: string; name?: string; type?: string; genesisHash?: string | null }

/** An extension's signer for one of its accounts; `type` is the account's key type. */
export function fromInjectedSigner(signer: InjectedSigner, address: string, type?: KeyType): ExternalSigner;

/** Connects to an injected Polkadot extension; `address` is matched by public key (any SS58
 *  prefix); without it, the first account that can pay (sr25519, ed25519 or ecdsa).
 *  Throws `WALLET_NOT_FOUND` (no extension, or not `source`), `NO_USABLE_ACCOUNT` (none that
 *  can pay, or not `address`; the message names what the wallet shares) or `SIGNER_REJECTED`
 *  (the user did not let the site connect). */
export function connectExtension(options: {
  appName: string;
  source?: string;
  address?: string;
  injectedWeb3?: Record<string, { enable(appName: string): Promise<{ accounts: { get(): Promise<InjectedAccount[]> }; signer: InjectedSigner }> }>;
}): Promise<{ source: string; accounts: InjectedAccount[]; account: InjectedAccount; signer: ExternalSigner }>;

/** A polkadot-js keyring pair (sr25519, ed25519 or ecdsa). */
export function fromKeyringPair(pair: { address: string; type?: string; sign(message: Uint8Array, options?: { withType?: boolean }): Uint8Array }): ExternalSigner;

/** A callback that signs the exact payload bytes: 64 bytes for sr25519 and ed25519, 65 for
 *  ecdsa (over blake2-256 of the bytes), or one more with the type byte; as bytes or hex. */
export function fromSignBytes(address: string, sign: (bytes: Uint8Array) => Uint8Array | string | Promise<Uint8Array | string>,
  options?: { type?: KeyType }): ExternalSigner;

export function toSigner(signer: PaymentSigner): ExternalSigner | PolkadotSignerLike;
