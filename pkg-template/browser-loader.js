// Browser and bundler loader: nothing runs on import (no top-level await), and the wasm is not
// part of the JS. It is fetched, compiled and instantiated the first time an async function
// runs, or when the caller awaits `ready()` or calls `preload()`: first as its own file (the
// asset a bundler emits for `new URL(…, import.meta.url)`, cached by the browser like any
// asset), else from the copy embedded in JS (base64 of its gzip bytes, loaded by a dynamic
// import), where the bundler left the URL pointing nowhere.

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

/** The asset: compiled while it downloads when served as application/wasm. */
async function compileAsset(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  if (type === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function') return WebAssembly.compileStreaming(response);
  // A server without the wasm type, or one that answers an unknown path with its index page:
  // compiling the bytes says which.
  return WebAssembly.compile(await response.arrayBuffer());
}

async function compileEmbedded(embedded) {
  const { default: data } = await embedded();
  return WebAssembly.compile(await gunzip(decodeBase64(data)));
}

async function compile({ url, embedded }) {
  let where = 'its URL';
  try {
    const href = url();
    where = String(href);
    return await compileAsset(href);
  } catch (assetError) {
    try {
      return await compileEmbedded(embedded);
    } catch (e) {
      throw new X402Error('NETWORK_ERROR', `the wasm could not be loaded, neither from ${where} (${assetError?.message ?? assetError}) nor from its copy in JS (${e?.message ?? e})`, { cause: e });
    }
  }
}

function notReady(name) {
  return new X402Error('NOT_READY', `${name} needs the wasm, which is not loaded yet: \`await ready()\` first (or call an async function such as a wrapped fetch)`);
}

/**
 * `init` is the wasm-bindgen glue's default export; `source` says where the wasm is
 * (`{ url: () => URL, embedded: () => import(…) }`). Returns `ready()`, `preload()` and the
 * wrappers the generated entry puts around each export.
 */
export function lazyWasm(init, source) {
  let loaded = false;
  let loading;
  // Idempotent: one instantiation per page; a failed one may be retried.
  const ready = () =>
    (loading ??= (async () => {
      await init({ module_or_path: await compile(source) });
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
