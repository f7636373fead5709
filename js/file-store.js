// A ledger store for Node: one JSON line per change, appended to a file. Appends are
// serialised (one write each, O_APPEND), so a crash can cut only the last line, which
// `PaymentLedger.open` skips. `durable: true` also waits for the disk (fdatasync) on each
// change, so a power loss keeps what was reported.
import { open, readFile } from 'node:fs/promises';

/**
 * `fileStore(path, { durable })` → a `LedgerStore` for `PaymentLedger.open({ store })`.
 * The file is created on the first change.
 */
export function fileStore(path, { durable = false } = {}) {
  if (typeof path !== 'string' || path === '') throw new TypeError('fileStore(path): path must be a non-empty string');
  let handle = null;
  let tail = Promise.resolve();
  const write = async (line) => {
    handle ??= await open(path, 'a');
    await handle.appendFile(line.endsWith('\n') ? line : `${line}\n`);
    if (durable) await handle.datasync();
  };
  return {
    async load() {
      try {
        return await readFile(path, 'utf8');
      } catch (e) {
        if (e && e.code === 'ENOENT') return '';
        throw e;
      }
    },
    append(line) {
      // One after another: lines never interleave, and a failed write does not stop the next.
      const next = tail.then(() => write(line));
      tail = next.catch(() => {});
      return next;
    },
    /** Waits for every change to be written, then closes the file. */
    async close() {
      await tail;
      if (handle) await handle.close();
      handle = null;
    },
  };
}
