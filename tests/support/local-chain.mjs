// A real Vara runtime on this machine, offline: the genesis runtime of the Vara testnet chain
// spec (shared/fixtures), its wasm lowered with binaryen's --signext-lowering (chopsticks'
// executor rejects sign-extension opcodes), run by chopsticks in Instant block mode.
// Gear's own host functions are missing there (--allow-unresolved-imports): balances
// transfers execute, Gear messages are queued but never processed.
//
// Library: startChain() → { wsUrl, httpUrl, genesisHash, fund, freeBalance, nonce, api, stop }.
// CLI:     node tests/support/local-chain.mjs   (prints the URLs as JSON, runs until Ctrl-C)
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = process.env.X402_SHARED_DIR ?? path.resolve(root, '../shared');
const sourceSpec = path.join(shared, 'fixtures/vara_testnet.chain-spec.json');
const cacheDir = path.join(root, '.cache/chain');
const CODE_KEY = '0x3a636f6465';
const ZSTD_PREFIX = '52bc537646db8e05';
export const VARA = 10n ** 12n;
export const LOCAL_GENESIS = '0x' + '45'.repeat(32);

const log = (...a) => { if (process.env.LOCAL_CHAIN_VERBOSE) console.error('[local-chain]', ...a); };

/** Writes (once, cached by the input's sha256) a copy of the spec with a lowered runtime. */
export function prepareSpec() {
  if (!existsSync(sourceSpec)) throw new Error(`chain spec not found at ${sourceSpec} (set X402_SHARED_DIR)`);
  const input = readFileSync(sourceSpec);
  const digest = createHash('sha256').update(input).digest('hex').slice(0, 16);
  const out = path.join(cacheDir, `vara-testnet-lowered-${digest}.json`);
  if (existsSync(out)) return out;
  const t0 = Date.now();
  mkdirSync(cacheDir, { recursive: true });
  const spec = JSON.parse(input);
  const code = spec.genesis.raw.top[CODE_KEY];
  if (!code.startsWith('0x' + ZSTD_PREFIX)) throw new Error('unexpected :code encoding in the chain spec');
  const zst = path.join(cacheDir, 'runtime.wasm.zst');
  writeFileSync(zst, Buffer.from(code.slice(2 + ZSTD_PREFIX.length), 'hex'));
  execFileSync('zstd', ['-d', '-f', '-q', zst, '-o', path.join(cacheDir, 'runtime.wasm')]);
  execFileSync(path.join(root, 'node_modules/.bin/wasm-opt'), [
    path.join(cacheDir, 'runtime.wasm'), '--signext-lowering', '--enable-sign-ext', '--enable-mutable-globals',
    '--enable-bulk-memory', '-o', path.join(cacheDir, 'runtime.lowered.wasm'),
  ]);
  spec.genesis.raw.top[CODE_KEY] = '0x' + readFileSync(path.join(cacheDir, 'runtime.lowered.wasm')).toString('hex');
  writeFileSync(out, JSON.stringify(spec));
  log(`prepared ${out} in ${Date.now() - t0} ms`);
  return out;
}

/**
 * Polls `check` until it holds or `timeoutMs` passes; resolves to whether it held.
 * Instant block mode builds a block right after a submission, but a loaded machine needs time.
 */
export async function waitUntil(check, { timeoutMs = 15_000, intervalMs = 100 } = {}) {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return false;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function rpc(url, method, params = []) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/**
 * Starts chopsticks on a free port and waits until it answers. With `blockMs`, blocks come
 * on a clock as on a real chain (Manual mode and a `dev_newBlock` every `blockMs`), not one
 * per submission; `mode: 'Manual'` alone builds blocks only when asked.
 */
export async function startChain({ port, blockMs, mode } = {}) {
  mode ??= blockMs ? 'Manual' : 'Instant';
  const spec = prepareSpec();
  port ??= await freePort();
  const t0 = Date.now();
  const child = spawn(process.execPath, [
    path.join(root, 'node_modules/@acala-network/chopsticks/chopsticks.cjs'),
    '--genesis', spec, '--allow-unresolved-imports', '--port', String(port), '--host', '127.0.0.1',
    '--build-block-mode', mode, '--db', ':memory:',
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: process.env.LOCAL_CHAIN_VERBOSE ? 'info' : 'error' } });
  let output = '';
  child.stdout.on('data', (d) => { output += d; log(String(d).trimEnd()); });
  child.stderr.on('data', (d) => { output += d; log(String(d).trimEnd()); });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = () => { try { child.kill('SIGKILL'); } catch {} };
  process.once('exit', kill);

  const httpUrl = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}`;
  let genesisHash;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`chopsticks exited (${child.exitCode}):\n${output.slice(-2000)}`);
    try {
      genesisHash = await rpc(httpUrl, 'chain_getBlockHash', [0]);
      break;
    } catch {
      if (i > 600) { kill(); throw new Error(`chopsticks did not answer in time:\n${output.slice(-2000)}`); }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // Build block 1, so that payments anchor their era at a real block: chopsticks reports the
  // genesis hash as 0x4545… although the genesis header hashes to something else.
  await rpc(httpUrl, 'dev_newBlock', []);
  const version = await rpc(httpUrl, 'state_getRuntimeVersion');
  const startupMs = Date.now() - t0;
  // Blocks on a clock, every `blockMs` from the start of the last one (building one takes
  // chopsticks ~1.6 s here); one at a time, so a block that takes longer delays the next.
  let clock = null, stopped = false, building = Promise.resolve();
  if (blockMs) {
    const tickBlock = () => {
      if (stopped) return;
      const started = Date.now();
      building = rpc(httpUrl, 'dev_newBlock', []).catch((e) => log('dev_newBlock', e.message)).then(() => {
        if (!stopped) clock = setTimeout(tickBlock, Math.max(0, blockMs - (Date.now() - started)));
      });
    };
    clock = setTimeout(tickBlock, blockMs);
  }
  log(`ready on ${httpUrl} in ${startupMs} ms, spec ${version.specVersion}`);

  let api;
  const chain = {
    port, httpUrl, wsUrl, genesisHash, specVersion: version.specVersion, transactionVersion: version.transactionVersion, startupMs,
    /** A @polkadot/api connection to the chain (opened on first use). */
    async api() {
      if (!api) {
        const { ApiPromise, WsProvider } = await import('@polkadot/api');
        api = await ApiPromise.create({ provider: new WsProvider(wsUrl), noInitWarn: true });
      }
      return api;
    },
    /** Sets an account's free balance (planck) with dev_setStorage, keeping its nonce. */
    async fund(address, free) {
      const nonce = Number(await rpc(httpUrl, 'system_accountNextIndex', [address]));
      await rpc(httpUrl, 'dev_setStorage', [{ System: { Account: [[[address], { nonce, providers: 1, data: { free: free.toString() } }]] } }]);
    },
    async freeBalance(address) {
      const a = await chain.api();
      return (await a.query.system.account(address)).data.free.toBigInt();
    },
    async nonce(address) {
      return Number(await rpc(httpUrl, 'system_accountNextIndex', [address]));
    },
    rpc: (method, params) => rpc(httpUrl, method, params),
    blockMs,
    async stop() {
      stopped = true;
      clearTimeout(clock);
      await building;
      if (api) await api.disconnect().catch(() => {});
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 3000);
      await exited;
      clearTimeout(timer);
      process.removeListener('exit', kill);
    },
  };
  return chain;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const chain = await startChain({ port: process.env.PORT ? Number(process.env.PORT) : undefined });
  console.log(JSON.stringify({ httpUrl: chain.httpUrl, wsUrl: chain.wsUrl, genesisHash: chain.genesisHash, specVersion: chain.specVersion, startupMs: chain.startupMs }));
  const stop = async () => { await chain.stop(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
