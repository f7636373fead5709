// A throwaway redis-server (Debian's redis-server 7, installed by scripts/setup.sh) on a free
// port, without persistence: `stop()` and `start()` again give a Redis restarted empty.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { freePort } from './local-chain.mjs';

async function ping(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => { s.destroy(); resolve(String(d).startsWith('+PONG')); });
    s.once('error', () => resolve(false));
  });
}

export async function startRedis() {
  const port = await freePort();
  let child = null;
  const redis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.exited = exited;
      for (let i = 0; i < 100; i++) {
        if (await ping(port)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('redis-server did not start');
    },
    async stop() {
      if (!child) return;
      const c = child;
      child = null;
      c.kill('SIGKILL');
      await c.exited;
    },
  };
  await redis.start();
  process.once('exit', () => child?.kill('SIGKILL'));
  return redis;
}
