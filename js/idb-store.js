// A ledger store for browsers: the ledger's JSON lines in IndexedDB, one record per change
// (an auto-increment key keeps their order). `PaymentLedger.open` replays them, the last
// record of each entry winning.
const STORE = 'lines';

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** `idbStore(name)` → a `LedgerStore` kept in the IndexedDB database `name`. */
export function idbStore(name = 'x402-vara-ledger') {
  if (typeof indexedDB === 'undefined') throw new TypeError('idbStore: this environment has no IndexedDB');
  let db = null;
  const opened = () => (db ??= new Promise((resolve, reject) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { autoIncrement: true });
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  }));
  return {
    async load() {
      const tx = (await opened()).transaction(STORE, 'readonly');
      return request(tx.objectStore(STORE).getAll());
    },
    async append(line) {
      const tx = (await opened()).transaction(STORE, 'readwrite');
      tx.objectStore(STORE).add(line);
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    },
  };
}
