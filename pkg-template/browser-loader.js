// Browser and bundler loader: nothing runs on import (no top-level await), and the wasm is not
// part of the JS a page loads up front. It lives in its own JS module (base64 of its gzip
// bytes), loaded by a dynamic import the first time an async function runs, or when the caller
// awaits `ready()` or calls `preload()`: every bundler that splits dynamic imports (Vite,
// webpack, Next.js, Rollup) emits that module as its own chunk, fetched once and cached by the
// browser like any asset. One copy per wasm: no `.wasm` file, no `new URL(…, import.meta.url)`,
// so no bundler needs a setting for it.

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

/**
 * `embedded` imports the module carrying the wasm. A chunk that does not arrive (offline, a
 * deploy that removed it, a server answering with its index page) is a NETWORK_ERROR.
 */
async function compile(embedded) {
  try {
    const { default: data } = await embedded();
    return await WebAssembly.compile(await gunzip(decodeBase64(data)));
  } catch (e) {
    throw new X402Error('NETWORK_ERROR', `the wasm could not be loaded from its JS chunk (${e?.message ?? e})`, { cause: e });
  }
}

function notReady(name) {
  return new X402Error('NOT_READY', `${name} needs the wasm, which is not loaded yet: \`await ready()\` first (or call an async function such as a wrapped fetch)`);
}

/**
 * `init` is the wasm-bindgen glue's default export; `embedded` imports the module carrying the
 * wasm (`() => import(…)`). Returns `ready()`, `preload()` and the wrappers the generated entry
 * puts around each export.
 */
export function lazyWasm(init, embedded) {
  let loaded = false;
  let loading;
  // Idempotent: one instantiation per page; a failed one may be retried.
  const ready = () =>
    (loading ??= (async () => {
      await init({ module_or_path: await compile(embedded) });
      loaded = true;
    })().catch((e) => {
      loading = undefined;
      throw e;
    }));
  // Its failure is the next call's to report (that call retries).
  const preload = () => {
    ready().catch(() => {});
  };
  return {
    ready,
    preload,
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
