// Finds secret material in what JavaScript can see: strings, numbers and bytes reachable from
// a value (own and inherited properties, getters called, up to the first built-in prototype),
// base64 decoded again (a payment header is base64 JSON), and `console` output.
import util from 'node:util';

const isNative = (fn) => typeof fn === 'function' && /\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(fn));
/** A prototype of the platform (Object, Error, Response …): its getters are not ours to walk. */
const builtinPrototype = (o) => o === Object.prototype || o === Function.prototype
  || (Object.hasOwn(o, 'constructor') && isNative(o.constructor) && o.constructor.prototype === o);

/** Everything reachable from `root`, as `{ path, text }` and `{ path, bytes }` items. */
export function harvest(root, label = 'value') {
  const items = [];
  const seen = new Set();
  const visit = (v, path, depth) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') return void items.push({ path, text: v });
    if (typeof v === 'symbol') return void items.push({ path, text: v.description ?? '' });
    if (typeof v !== 'object' && typeof v !== 'function') return void items.push({ path, text: String(v) });
    if (seen.has(v) || depth > 16) return;
    seen.add(v);
    if (v instanceof ArrayBuffer) return void items.push({ path, bytes: new Uint8Array(v) });
    if (ArrayBuffer.isView(v)) return void items.push({ path, bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) });
    for (let o = v; o && !builtinPrototype(o); o = Object.getPrototypeOf(o)) {
      for (const key of Reflect.ownKeys(o)) {
        const d = Object.getOwnPropertyDescriptor(o, key);
        let value = d.value;
        if (d.get) {
          try {
            value = d.get.call(v);
          } catch (e) {
            value = e; // a getter's error is visible too
          }
        }
        visit(value, `${path}.${String(key)}`, depth + 1);
      }
    }
    if (v instanceof Map || v instanceof Set) for (const [k, x] of v.entries()) visit([k, x], `${path}[entry]`, depth + 1);
  };
  visit(root, label, 0);
  for (const show of [() => util.inspect(root, { showHidden: true, depth: Infinity, getters: true }), () => String(root), () => JSON.stringify(root)]) {
    try {
      items.push({ path: `${label} (shown)`, text: String(show()) });
    } catch (e) {
      items.push({ path: `${label} (shown, threw)`, text: String(e?.message) });
    }
  }
  // Base64 hides bytes and text from a plain search: decode what looks like it.
  for (const item of [...items]) {
    for (const b64 of item.text?.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []) {
      const bytes = Buffer.from(b64, b64.includes('-') || b64.includes('_') ? 'base64url' : 'base64');
      items.push({ path: `${item.path} (base64)`, bytes }, { path: `${item.path} (base64 text)`, text: bytes.toString('latin1') });
    }
  }
  return items;
}

/** An error's message, stack, cause chain and own properties, and how it prints. */
export const harvestError = (e, label = 'error') => harvest(e, label);

const indexOfBytes = (hay, needle) => {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
};
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What must never show: `phrases` (whole, and any two consecutive words of them), `texts`
 * (passwords), `bytes` (seeds and secret keys: as bytes, hex with or without 0x, base64).
 */
export function secretMatcher({ phrases = [], texts = [], bytes = [] }) {
  const patterns = [];
  for (const phrase of phrases) {
    const words = phrase.trim().split(/\s+/);
    for (let i = 0; i + 1 < words.length; i++) {
      patterns.push({ what: `two words of a phrase ("${words[i]} ${words[i + 1]}")`, re: new RegExp(`(^|[^a-z])${escape(words[i])}[^a-z]+${escape(words[i + 1])}($|[^a-z])`, 'i') });
    }
  }
  const strings = [...texts.map((t) => ({ what: 'a password', s: t }))];
  for (const b of bytes) {
    const buf = Buffer.from(b);
    strings.push({ what: 'secret bytes as hex', s: buf.toString('hex') }, { what: 'secret bytes as base64', s: buf.toString('base64').replace(/=+$/, '') });
  }
  return (items) => {
    const found = [];
    for (const item of items) {
      if (item.text !== undefined) {
        const lower = item.text.toLowerCase();
        for (const { what, s } of strings) if (lower.includes(s.toLowerCase())) found.push(`${what} in ${item.path}`);
        for (const { what, re } of patterns) if (re.test(item.text)) found.push(`${what} in ${item.path}`);
      } else {
        for (const b of bytes) if (indexOfBytes(item.bytes, b) >= 0) found.push(`secret bytes in ${item.path}`);
      }
    }
    return found;
  };
}

/** Replaces every `console` method; `lines` collects what they would have printed. */
export function captureConsole() {
  const lines = [];
  const originals = {};
  for (const name of Object.keys(console)) {
    if (typeof console[name] !== 'function') continue;
    originals[name] = console[name];
    console[name] = (...args) => lines.push({ path: `console.${name}`, text: util.format(...args) });
  }
  return { lines, restore: () => Object.assign(console, originals) };
}
