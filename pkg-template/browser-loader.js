// Browser and bundler loader for a wasm module embedded in JS (base64 of its gzip bytes).
// Nothing runs on import: no top-level await, no `.wasm` asset, no `new URL(…, import.meta.url)`,
// so every bundler takes the package unconfigured. The wasm is decoded and instantiated the
// first time an async function runs, or when the caller awaits `ready()`.

import { X402Error } from '../js/errors.js';

function decodeBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

function notReady(name) {
  return new X402Error('NOT_READY', `${name} needs the wasm, which is not loaded yet: \`await ready()\` first (or call an async function such as a wrapped fetch)`);
}

/**
 * `init` is the wasm-bindgen glue's default export, `data` the embedded base64 text.
 * Returns `ready()` and the wrappers the generated entry puts around each export.
 */
export function embeddedWasm(init, data) {
  let loaded = false;
  let loading;
  // Idempotent: one instantiation per page; a failed one may be retried.
  const ready = () =>
    (loading ??= (async () => {
      await init({ module_or_path: await gunzip(decodeBase64(data)) });
      loaded = true;
    })().catch((e) => {
      loading = undefined;
      throw e;
    }));

  return {
    ready,
    /** An async export: loads the wasm first. */
    lazy: (fn) =>
      async function (...args) {
        await ready();
        return fn.apply(this, args);
      },
    /** A synchronous export: usable once loaded, a typed NOT_READY error before. */
    sync: (fn, name) =>
      function (...args) {
        if (!loaded) throw notReady(name);
        return fn.apply(this, args);
      },
    /** An export returning an async function (wrapFetchWithPayment): built on its first call. */
    wrapper: (fn) =>
      function (...args) {
        if (loaded) return fn.apply(this, args);
        let inner;
        return async (...call) => {
          await ready();
          inner ??= fn.apply(this, args);
          return inner(...call);
        };
      },
    /** A class: its static functions (Keypair.fromSuri) need the wasm; instanceof still works. */
    klass: (cls, name) =>
      new Proxy(cls, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (loaded || typeof key === 'symbol' || typeof value !== 'function' || key === 'constructor') return value;
          return () => {
            throw notReady(`${name}.${key}`);
          };
        },
      }),
  };
}
