// The package's error class. Its wasm modules and its JS shims all throw instances of it; it
// is registered under a global symbol so that every module, and every copy of the package
// loaded in this realm, shares one class (`instanceof X402Error` holds across them).
const KEY = Symbol.for('x402-vara-wasm.X402Error');

class X402ErrorClass extends Error {
  /** @param {string} code stable error code @param {string} message @param {{ cause?: unknown }} [options] */
  constructor(code, message, options) {
    super(message, options);
    this.name = 'X402Error';
    this.code = code;
  }
}

export const X402Error = globalThis[KEY] ?? (globalThis[KEY] = X402ErrorClass);

/** True for an X402Error from any copy of the package, even across realms (iframes). */
export function isX402Error(value) {
  return typeof value === 'object' && value !== null && value.name === 'X402Error' && typeof value.code === 'string';
}

/** An X402Error with extra fields (`status`, `receipt`, …). */
export function x402Error(code, message, details = {}) {
  const { cause, ...rest } = details;
  return Object.assign(new X402Error(code, message, cause === undefined ? undefined : { cause }), rest);
}
