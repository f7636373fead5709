// A fleet's coordinator on Redis (or Valkey, or a managed Redis): processes paying from one
// account share its nonce lane through it. It offers the payment core two atomic scripts
// and Redis's clock; every rule (turns, leases, what a refusal or an expired lease does to
// the nonce) lives in the core, which loads a record, applies a rule, and writes it back
// only if no other process wrote in between.
//
// Works with a connected node-redis (v4 or later) or ioredis client; this package depends on
// neither. Every call is bounded by `timeoutMs`: a Redis that is down or slow ends the
// payment with COORDINATOR_ERROR before it is handed to anyone (never a fall-back to local
// nonces).
import { X402Error } from './errors.js';

// KEYS[1] → { text, version, time }: a missing record is version 0.
const LOAD = `local r = redis.call('HMGET', KEYS[1], 'v', 'n')
local t = redis.call('TIME')
return { r[1] or '', r[2] or '0', t[1], t[2], r[1] and 1 or 0 }`;

// KEYS[1], ARGV = version, text, ttlMs → 1 when written, 0 when another wrote first.
const SWAP = `local n = redis.call('HGET', KEYS[1], 'n') or '0'
if n ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'n', tostring(tonumber(n) + 1))
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

const failure = (what, cause) =>
  new X402Error('COORDINATOR_ERROR', `the coordinator (Redis) ${what}: ${cause?.message ?? cause}`, { cause });

/** How to send one command with either client: node-redis takes an array, ioredis a list. */
function commander(client) {
  if (client && typeof client.call === 'function') return (args) => client.call(...args);
  if (client && typeof client.sendCommand === 'function') return (args) => client.sendCommand(args);
  throw new TypeError('redisCoordinator(client): expected a node-redis (v4+) or ioredis client');
}

/**
 * `redisCoordinator(client, { prefix, leaseMs, timeoutMs })` → the `coordinator` option.
 * `prefix` starts every key (default `x402-vara`); `leaseMs` is how long a process that
 * died holds the others up at most (default 5000); `timeoutMs` bounds each Redis call
 * (default 2000).
 */
const OPTIONS = ['prefix', 'leaseMs', 'timeoutMs'];

export function redisCoordinator(client, options = {}) {
  // A misspelled option would silently fall back to its default: refused, like the core's.
  for (const key of Object.keys(options ?? {})) {
    if (!OPTIONS.includes(key)) {
      throw new X402Error('INVALID_OPTIONS', `redisCoordinator: unknown option ${JSON.stringify(key)} (known: ${OPTIONS.join(', ')})`);
    }
  }
  const { prefix = 'x402-vara', leaseMs = 5_000, timeoutMs = 2_000 } = options ?? {};
  const send = commander(client);
  const sha = new Map();
  // EVALSHA, and EVAL once when Redis does not know the script (first use, or after a restart).
  async function run(script, keys, args) {
    const argv = [String(keys.length), ...keys, ...args.map(String)];
    const known = sha.get(script);
    if (known) {
      try {
        return await send(['EVALSHA', known, ...argv]);
      } catch (e) {
        if (!String(e?.message ?? e).includes('NOSCRIPT')) throw e;
      }
    }
    const loaded = await send(['SCRIPT', 'LOAD', script]);
    sha.set(script, String(loaded));
    return send(['EVALSHA', String(loaded), ...argv]);
  }
  async function bounded(what, work) {
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(failure(`did not answer ${what} within ${timeoutMs} ms`, 'timeout')), timeoutMs);
    });
    try {
      return await Promise.race([work(), late]);
    } catch (e) {
      throw e instanceof X402Error ? e : failure(`failed ${what}`, e);
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    kind: 'x402-vara-coordinator',
    prefix,
    leaseMs,
    /** The record under `key`: `{ text, version, nowMs }` (Redis's clock). */
    load: (key) => bounded('a load', async () => {
      const [text, version, sec, usec, present] = await run(LOAD, [key], []);
      return { text: Number(present) ? String(text) : null, version: Number(version), nowMs: Number(sec) * 1000 + Math.floor(Number(usec) / 1000) };
    }),
    /** Writes `text` when the record is still at `version`; resolves to whether it did. */
    swap: (key, version, text, ttlMs) => bounded('a swap', async () => Number(await run(SWAP, [key], [version, text, ttlMs])) === 1),
  };
}
