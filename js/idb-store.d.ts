import type { LedgerStore } from 'x402-vara-wasm';

/** A ledger store for browsers, kept in the IndexedDB database `name`. */
export declare function idbStore(name?: string): LedgerStore;
