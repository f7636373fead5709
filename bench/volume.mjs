// Volume, side by side with the reference client (x402-vara's withX402Interceptor + keyring):
// how many payments execute on chain out of N concurrent requests (Promise.all) and N
// back-to-back requests (each sent when the previous answered, without waiting for anything
// else), with wall time and RPC round trips per payment. Same local chain, same reference
// server, //Alice paying in both; each client runs in its own process (ours first), after
// one warm-up payment. Between phases the chain includes everything (empty blocks are built
// until the payer's nonce stops rising). Prints figures; asserts nothing.
// `node bench/volume.mjs` (after `npm run build`): 10 concurrent and 30 back-to-back;
// BENCH_FULL=1 adds 20 concurrent and 100 back-to-back.
//
// Executed = the seller's balance delta ÷ price (the payer's nonce delta is shown where it
// differs). The reference reads the nonce from the node for each payment, so payments sent
// before the previous one is included reuse a nonce and fail: expect it to execute far fewer.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { startBenchShop, payerEnv, countingWsProxy, payingClient, ALICE, BOB, PRICE, FULL } from './support.mjs';

const TIMEOUT_MS = 60_000; // per request: a payment the chain never includes must not hang the bench
const PHASES = [
  { kind: 'concurrent', n: 10 }, { kind: 'back-to-back', n: 30 },
  ...(FULL ? [{ kind: 'concurrent', n: 20 }, { kind: 'back-to-back', n: 100 }] : []),
];
const outcome = (e) => e?.response?.status ?? e?.status ?? e?.code ?? e?.name ?? 'error';

// The child: one client, one warm-up payment, then a phase per message from the parent.
if (process.argv[2] === '--child') {
  const client = await payingClient(process.argv[3]);
  const once = () => client.get({ timeoutMs: TIMEOUT_MS }).catch(outcome);
  process.send({ warmUp: await once() });
  process.on('message', async ({ kind, n }) => {
    const before = { ...client.rpc };
    const t0 = performance.now();
    let statuses = [];
    if (kind === 'concurrent') statuses = await Promise.all(Array.from({ length: n }, once));
    else for (let i = 0; i < n; i++) statuses.push(await once());
    const wallMs = performance.now() - t0;
    process.send({ statuses, wallMs, roundTrips: client.rpc.roundTrips - before.roundTrips });
  });
} else {
  const shop = await startBenchShop();
  const { chain } = shop;
  const proxy = await countingWsProxy(chain.wsUrl);
  const env = payerEnv(shop, proxy.url);

  // Until the chain has included everything: chopsticks builds a block per submission, and
  // when it lags behind, payments it has accepted wait for blocks that no later submission
  // triggers (a real chain keeps producing them). So build empty blocks until one leaves the
  // payer's nonce where it was.
  async function settled(address) {
    for (let i = 0; i < 100; i++) {
      const before = await chain.nonce(address);
      await chain.rpc('dev_newBlock', []);
      if ((await chain.nonce(address)) === before) return;
    }
  }
  // The payer's nonce and the seller's balance at one block, so that both deltas agree.
  async function snapshot() {
    const api = await chain.api();
    const at = await api.at(await api.rpc.chain.getBlockHash());
    const [payer, seller] = await at.query.system.account.multi([ALICE, BOB]);
    return { nonce: payer.nonce.toNumber(), bob: seller.data.free.toBigInt() };
  }

  function startChild(who) {
    const child = fork(fileURLToPath(import.meta.url), ['--child', who], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const next = () => new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`${who} child exited (${code}):\n${err.slice(-2000)}`));
      child.once('exit', onExit);
      child.once('message', (m) => { child.off('exit', onExit); resolve(m); });
    });
    return { child, next, ask: (msg) => { const answer = next(); child.send(msg); return answer; } };
  }

  const results = { ours: [], reference: [] };
  try {
    for (const who of ['ours', 'reference']) {
      const { child, next, ask } = startChild(who);
      const { warmUp } = await next();
      if (warmUp !== 200) console.log(`# ${who}: warm-up payment answered ${warmUp}`);
      try {
        for (const phase of PHASES) {
          await settled(ALICE);
          const s0 = await snapshot();
          const ws0 = proxy.counts.messages;
          const r = await ask(phase);
          await settled(ALICE);
          const s1 = await snapshot();
          const roundTrips = who === 'ours' ? r.roundTrips : proxy.counts.messages - ws0;
          results[who].push({
            ...phase, executed: Number((s1.bob - s0.bob) / PRICE), nonceDelta: s1.nonce - s0.nonce,
            wallMs: r.wallMs, rtPerPayment: roundTrips / phase.n, statuses: tally(r.statuses),
          });
        }
      } finally {
        child.kill();
      }
    }
  } finally {
    await proxy.close();
    await shop.stop();
  }

  const version = JSON.parse(readFileSync(new URL('../node_modules/x402-vara/package.json', import.meta.url))).version;
  console.log(`\nx402 on Vara, volume: this package vs the reference client (x402-vara ${version}), same chain, same server, //Alice paying`);
  const cells = (x) => [`${x.executed}/${x.n}`.padStart(10), x.wallMs.toFixed(0).padStart(9), x.rtPerPayment.toFixed(2).padStart(8)].join('');
  console.log(`${''.padEnd(16)}${'ours: executed/sent, wall ms, RPC rt/pay'.padEnd(47)}reference: the same`);
  results.ours.forEach((o, i) => {
    const r = results.reference[i];
    console.log(`${`${o.n} ${o.kind}`.padEnd(16)}${cells(o).padEnd(47)}${cells(r)}`);
  });
  for (const who of ['ours', 'reference']) {
    for (const x of results[who]) {
      const nonceNote = x.nonceDelta === x.executed ? '' : `, payer nonce +${x.nonceDelta}`;
      console.log(`# ${who}, ${x.n} ${x.kind}: answers ${JSON.stringify(x.statuses)}${nonceNote}`);
    }
  }
}

function tally(statuses) {
  const t = {};
  for (const s of statuses) t[s] = (t[s] ?? 0) + 1;
  return t;
}

