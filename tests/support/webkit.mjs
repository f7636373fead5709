// WebKitGTK for page tests: Debian's MiniBrowser driven by Debian's WebKitWebDriver over
// classic W3C WebDriver (puppeteer drives no WebKit), on a virtual X display (xvfb-run; the
// MiniBrowser has no headless mode). Only what page tests need: open a URL, run an async
// function in the page, close. A missing binary is an error, never a skip.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort, waitUntil } from './local-chain.mjs';

export async function launchWebKit() {
  for (const bin of ['/usr/bin/WebKitWebDriver', '/usr/bin/xvfb-run']) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing (bash scripts/setup.sh installs it): WebKitGTK tests cannot run`);
  }
  const port = await freePort();
  // Its own process group, so that close() ends xvfb-run, Xvfb, the driver and the browser.
  const child = spawn('/usr/bin/xvfb-run', ['-a', '/usr/bin/WebKitWebDriver', `--port=${port}`], { detached: true, stdio: 'ignore' });
  const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch {} };
  process.once('exit', stop);
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const { value } = await r.json();
    if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(value)}`);
    return value;
  };
  if (!await waitUntil(() => fetch(`${base}/status`).then((r) => r.ok, () => false), { timeoutMs: 30_000 })) {
    stop();
    throw new Error('WebKitWebDriver did not start');
  }
  const { sessionId } = await call('POST', '/session', { capabilities: { alwaysMatch: {} } });
  const session = `/session/${sessionId}`;
  await call('POST', `${session}/timeouts`, { script: 300_000 });
  return {
    goto: (url) => call('POST', `${session}/url`, { url }),
    /** Runs `fn(arg)`, an async function, in the page and resolves to its (JSON) result. */
    evaluate: (fn, arg) => call('POST', `${session}/execute/async`, {
      script: `const done = arguments[arguments.length - 1]; (${fn})(arguments[0]).then(done, (e) => done({ thrown: String(e && e.stack || e) }));`,
      args: [arg],
    }),
    async close() {
      await call('DELETE', session).catch(() => {});
      stop();
      process.removeListener('exit', stop);
    },
  };
}
