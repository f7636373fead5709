// What a page downloads, as the browser fetched it: every response body, counted at gzip -9
// (each file on its own, as a server would send it). Page tests take it before the first
// payment (what the page costs up front) and on it (what paying adds: the wasm).
import { readFileSync } from 'node:fs';
import { allFiles, gzipBytes } from './output-size.mjs';

// base64 of gzip bytes starts with "H4sI"; the package's embedded copies are 60 KB and more.
const EMBEDDED = /H4sI[A-Za-z0-9+/]{20000,}/g;
const isWasmBinary = (body) => body.length >= 4 && body.readUInt32BE(0) === 0x0061736d;

/** How many wasm modules `body` carries: a wasm binary is one; JS may embed several (base64 of gzip). */
export function wasmCopies(body) {
  if (isWasmBinary(body)) return 1;
  return body.toString('latin1').match(EMBEDDED)?.length ?? 0;
}

/** True for the wasm in any form: a wasm binary, or JS carrying it as base64 of its gzip. */
export const carriesWasm = (body) => wasmCopies(body) > 0;

/** The wasm modules a build emitted under `dir`: one entry per copy, the file that carries it. */
export function emittedWasm(dir) {
  return allFiles(dir).flatMap((file) => Array(wasmCopies(readFileSync(file))).fill(file));
}

/**
 * Records every response `page` (puppeteer) receives from the site at `origin` (not the
 * chain's or the seller's answers). `take()` resolves to the files fetched since the last
 * `take()`: `{ files: [{ url, raw, gzip, wasm }], raw, gzip }`.
 */
export function recordFetches(page, origin) {
  let pending = [];
  page.on('response', (response) => {
    const url = response.url();
    if (!url.startsWith(origin) || response.status() >= 300) return;
    pending.push(response.buffer().then((body) => ({ url, raw: body.length, gzip: gzipBytes(body), wasm: carriesWasm(body) }), () => null));
  });
  return {
    async take() {
      const taken = pending;
      pending = [];
      const files = (await Promise.all(taken)).filter(Boolean);
      return { files, raw: files.reduce((n, f) => n + f.raw, 0), gzip: files.reduce((n, f) => n + f.gzip, 0) };
    },
  };
}
