// Browser and bundler entry: the web build, initialised once with top-level await so every
// export is usable on import. Bundlers (webpack 5, Next.js, Vite) emit the .wasm as an
// asset through the `new URL(..., import.meta.url)` inside the glue.
import init from './x402_vara_wasm.js';

await init();

export * from './x402_vara_wasm.js';
