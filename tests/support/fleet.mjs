// Runs fleet-payer.mjs processes and collects what they print (tests and bench/fleet.mjs).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const payer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fleet-payer.mjs');

/** Starts one payer process; `lines` fills as it prints, `done` resolves on exit. */
export function startPayer(env) {
  const child = spawn(process.execPath, [payer], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  let out = '', err = '';
  const listeners = [];
  child.stdout.on('data', (d) => {
    out += d;
    let i;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      try {
        const o = JSON.parse(line);
        lines.push(o);
        listeners.forEach((l) => l(o));
      } catch {}
    }
  });
  child.stderr.on('data', (d) => { err += d; });
  const done = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, lines, stderr: err.slice(-3000) })));
  return {
    child, lines, done,
    /** Resolves with the first printed object for which `test` holds. */
    when: (test) => new Promise((resolve) => {
      const hit = lines.find(test);
      if (hit) return resolve(hit);
      listeners.push((o) => test(o) && resolve(o));
    }),
    go: () => child.stdin.write('go\n'),
  };
}

/** `processes` payers at once, `count(i)` payments each, all released together. */
export async function runFleet({ processes, count, env, envOf = () => ({}) }) {
  const payers = Array.from({ length: processes }, (_, i) =>
    startPayer({ ...env, ...envOf(i), FLEET_COUNT: String(count(i)), FLEET_WAIT_FOR: 'go' }));
  await Promise.all(payers.map((p) => p.when((o) => o.ready)));
  const t0 = performance.now();
  payers.forEach((p) => p.go());
  const results = await Promise.all(payers.map((p) => p.done));
  const wallMs = performance.now() - t0;
  return { wallMs, results, payments: results.flatMap((r) => r.lines.filter((l) => 'i' in l)) };
}
