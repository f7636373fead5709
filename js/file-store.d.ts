import type { LedgerStore } from 'x402-vara-wasm';

/** A ledger store for Node: JSON lines appended to `path` (created on first use). */
export declare function fileStore(path: string, options?: { durable?: boolean }): LedgerStore & { close(): Promise<void> };
