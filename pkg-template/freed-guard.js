// After `free()`, wasm-bindgen zeroes an object's handle and its methods throw a bare
// "null pointer passed to rust". This turns that into an X402Error with code KEY_FREED (the
// package's only class is the in-wasm Keypair). It patches the class's prototype once, so the
// browser and the Node entries share the guard.
import { X402Error } from '../js/errors.js';

const GUARDED = Symbol.for('x402-vara-wasm.freedGuard');
const SKIP = new Set(['constructor', 'free', '__destroy_into_raw']);

function freed(name) {
  return new X402Error('KEY_FREED', `this ${name} was freed (free() was called): it can no longer be used`);
}

export function guardFreed(cls, name) {
  const proto = cls.prototype;
  if (proto[GUARDED]) return cls;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (SKIP.has(key)) continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    const guard = (fn) => function (...args) {
      if (!this.__wbg_ptr) throw freed(name);
      return fn.apply(this, args);
    };
    if (typeof d.value === 'function') Object.defineProperty(proto, key, { ...d, value: guard(d.value) });
    else if (d.get) Object.defineProperty(proto, key, { ...d, get: guard(d.get) });
  }
  Object.defineProperty(proto, GUARDED, { value: true });
  return cls;
}
