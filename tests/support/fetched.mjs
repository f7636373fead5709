// What a page downloads, as the browser fetched it: every response body, counted at gzip -9
// (each file on its own, as a server would send it). Page tests take it before the first
// payment (what the page costs up front) and on it (what paying adds: the wasm).
import { gzipBytes } from './output-size.mjs';

/** True for the wasm in any form: a wasm binary, or JS carrying it as base64 of its gzip. */
export function carriesWasm(body) {
  if (body.length >= 4 && body.readUInt32BE(0) === 0x0061736d) return true;
  // base64 of gzip bytes starts with "H4sI"; the package's embedded copies are 60 KB and more.
  return /H4sI[A-Za-z0-9+/]{60000}/.test(body.toString('latin1'));
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
