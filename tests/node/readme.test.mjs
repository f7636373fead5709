// Every code block of the README is run or checked, so the documentation cannot drift:
//   ```js run        executed in Node against the local Vara chain, the reference x402-vara
//                    server (v1) and an @x402/express seller (v2), importing the built package
//                    as a user would; `http://localhost:3000`, `http://localhost:4021` and
//                    `http://127.0.0.1:9944` in the block stand for those three, and
//                    `http://localhost:4022/mcp` for a paid MCP server (tests/support/mcp-server.mjs)
//   ```js typecheck  browser code: type-checked with tsc (strict) against the package's types
//   ```json          parsed
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/wasm-pkg.mjs';
import { startChain, VARA } from '../support/local-chain.mjs';
import { startReferenceServer } from '../support/reference-server.mjs';
import { startV2Server } from '../support/x402-v2-server.mjs';
import { startMcpHttpServer } from '../support/mcp-server.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const ALICE = 'kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW';
const PRICE = 30_000_000_000n;

/** The README's fenced blocks: `{ lang, mode, code, line }`. */
function blocks(markdown) {
  const out = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(\w+)?\s*(\w+)?\s*$/);
    if (!open) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    out.push({ lang: open[1] ?? '', mode: open[2] ?? '', code: body.join('\n'), line: start + 1 });
  }
  return out;
}

const readme = blocks(readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));
// A scratch folder inside the repository: the package resolves through a link to dist/, the
// other dependencies (axios, @x402/fetch) from the repository's node_modules.
const scratch = path.join(repoRoot, '.cache/readme');
let chain, v1, v2, mcp, urls;

before(async () => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(path.join(scratch, 'node_modules'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'dist'), path.join(scratch, 'node_modules/x402-vara-wasm'), 'dir');
  chain = await startChain();
  await chain.fund(ALICE, 1_000_000n * VARA);
  await chain.fund(BOB, 100n * VARA);
  v1 = await startReferenceServer({ wsUrl: chain.wsUrl, payTo: BOB, price: String(PRICE) });
  v2 = await startV2Server({ api: await chain.api(), genesisHash: chain.genesisHash, payTo: BOB, price: PRICE });
  mcp = await startMcpHttpServer({ api: await chain.api(), genesisHash: chain.genesisHash, payTo: BOB, price: PRICE });
  urls = { 'http://localhost:3000': v1.url, 'http://localhost:4021': v2.url, 'http://localhost:4022/mcp': mcp.url, 'http://127.0.0.1:9944': chain.httpUrl };
});

after(async () => {
  await mcp?.stop();
  await v2?.stop();
  await v1?.stop();
  await chain?.stop();
});

test('the README has blocks of every kind', () => {
  const modes = new Set(readme.map((b) => `${b.lang} ${b.mode}`.trim()));
  for (const kind of ['js run', 'js typecheck', 'json', 'sh']) assert.ok(modes.has(kind), kind);
});

for (const block of readme.filter((b) => b.lang === 'js' && b.mode === 'run')) {
  test(`README line ${block.line}: runs against the local chain`, async () => {
    let code = block.code;
    for (const [from, to] of Object.entries(urls)) code = code.replaceAll(from, to);
    const file = path.join(scratch, `block-${block.line}.mjs`);
    writeFileSync(file, code);
    const bobBefore = await chain.freeBalance(BOB);
    let stdout;
    try {
      // Asynchronously: the sellers run in this process and must keep answering.
      ({ stdout } = await promisify(execFile)(process.execPath, ['--unhandled-rejections=strict', file], { cwd: scratch, encoding: 'utf8', timeout: 120_000 }));
    } catch (e) {
      assert.fail(`README line ${block.line} failed:\n${e.stdout}\n${e.stderr}`);
    }
    // A block that pays prints 200; the seller's balance then rises by the price.
    if (/\b200\b/.test(stdout)) {
      const { waitUntil } = await import('../support/local-chain.mjs');
      assert.ok(await waitUntil(async () => (await chain.freeBalance(BOB)) > bobBefore, { timeoutMs: 60_000 }), 'the payment executed on chain');
    }
  });
}

test('the browser blocks type-check against the package (tsc, strict)', () => {
  const browser = readme.filter((b) => b.lang === 'js' && b.mode === 'typecheck');
  assert.ok(browser.length > 0);
  const files = browser.map((b) => {
    const file = `typecheck-${b.line}.ts`;
    writeFileSync(path.join(scratch, file), `${b.code}\nexport {};\n`);
    return file;
  });
  writeFileSync(path.join(scratch, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], skipLibCheck: false },
    files,
  }));
  writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  try {
    execFileSync(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: scratch, encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc found errors in the README's browser blocks:\n${e.stdout}`);
  }
});

test('the JSON blocks parse', () => {
  for (const b of readme.filter((x) => x.lang === 'json')) {
    assert.doesNotThrow(() => JSON.parse(b.code), `README line ${b.line}`);
  }
});
