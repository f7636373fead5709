// `next start` on a built Next.js app, on a free port of 127.0.0.1, for the page tests.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './wasm-pkg.mjs';
import { freePort } from './local-chain.mjs';

/**
 * Starts the build in `dir` with `env` (an object, or a function of the server's URL) added to
 * the environment; resolves once `ready(url)` is true (default: the home page answers).
 * Returns { url, output(), stop() }.
 */
export async function startNext(dir, { env = {}, ready = async (base) => (await fetch(base)).ok } = {}) {
  if (!existsSync(path.join(dir, '.next/BUILD_ID'))) throw new Error(`${dir} is not built`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, ['--unhandled-rejections=strict', path.join(repoRoot, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: dir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...(typeof env === 'function' ? env(url) : env) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const stop = () => { if (child.exitCode === null) child.kill('SIGTERM'); };
  for (let i = 0; ; i++) {
    try { if (await ready(url)) break; } catch {}
    if (i > 300 || child.exitCode !== null) {
      stop();
      throw new Error(`next start did not come up:\n${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, output: () => output, stop };
}
