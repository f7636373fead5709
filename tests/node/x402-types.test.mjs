// The declarations of `x402-vara-wasm/x402` against the real SDK's: a TypeScript consumer that
// registers varaExactScheme with @x402/core's x402Client (v2 and v1) and hands the client to
// @x402/fetch and @x402/axios type-checks with `tsc --noEmit` (strict). And `response.x402` of
// the Axios shim, typed for ESM and CommonJS consumers alike (NodeNext: a "type": "module"
// package, a .cts file in it, a package without "type"). The built dist/ is linked into a
// scratch project as node_modules/x402-vara-wasm, the SDK and axios as installed here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/wasm-pkg.mjs';

let scratch;
before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'x402-types-'));
  mkdirSync(path.join(scratch, 'node_modules'));
  symlinkSync(path.join(repoRoot, 'dist'), path.join(scratch, 'node_modules/x402-vara-wasm'));
  for (const dep of ['@x402', 'axios', 'zod']) symlinkSync(path.join(repoRoot, 'node_modules', dep), path.join(scratch, 'node_modules', dep));
  writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Writes `source` as `file` in a folder of the scratch project whose package.json has `type`
 * (none when null) and runs tsc (strict) on it; fails with tsc's errors.
 */
function typeCheck(source, { file = 'consumer.ts', type = 'module', skipLibCheck = true } = {}) {
  const dir = path.join(scratch, `${type ?? 'no-type'}-${file.replace('.', '-')}-${skipLibCheck}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, ...(type ? { type } : {}) }));
  writeFileSync(path.join(dir, file), source);
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], skipLibCheck },
    files: [file],
  }));
  try {
    execFileSync(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc found errors:\n${e.stdout}`);
  }
}

test('varaExactScheme is an @x402/core SchemeNetworkClient to tsc (fetch, axios, register, registerV1)', () => {
  typeCheck(`
    import axios from 'axios';
    import { x402Client, wrapFetchWithPayment } from '@x402/fetch';
    import { wrapAxiosWithPayment, x402Client as AxiosClient } from '@x402/axios';
    import type { SchemeNetworkClient } from '@x402/core/types';
    import { Keypair } from 'x402-vara-wasm/keypair';
    import { varaExactScheme, withSpendCap, VARA_TESTNET, VARA_ASSET, type VaraExactSchemeClient } from 'x402-vara-wasm/x402';
    const scheme: VaraExactSchemeClient = varaExactScheme(Keypair.fromSuri('//Alice'), { maxAmount: { VARA: '100000000000' } });
    const asSdk: SchemeNetworkClient = scheme;
    const client = new x402Client().register(VARA_TESTNET, asSdk).register('polkadot:*', scheme)
      .registerV1('vara-testnet', varaExactScheme({ address: 'a', sign: (m: Uint8Array) => m }))
      .setSpendControls({ allowedAssets: [{ network: 'polkadot:*', asset: VARA_ASSET, maxAmountPerPayment: '100000000000' }] });
    const payFetch: typeof fetch = wrapFetchWithPayment(fetch, client);
    // @x402/axios 2.11 is typed against its own @x402/core 2.11 (no spend controls there): its
    // x402Client takes the scheme as is; a 2.27 client works at run time but needs a cast.
    const payAxios = wrapAxiosWithPayment(axios.create(), new AxiosClient().register('polkadot:*', scheme));
    const payAxios27 = wrapAxiosWithPayment(axios.create(), client as unknown as AxiosClient);
    const capped = withSpendCap({ maxAmount: { VARA: '5' } }, 'vara', '3');
    export { payFetch, payAxios, payAxios27, capped };
  `);
});

test('options name networks by CAIP-2 id too (rpcUrls, genesisHashes, networks), as the core accepts', () => {
  typeCheck(`
    import { type X402Options } from 'x402-vara-wasm';
    import { Keypair } from 'x402-vara-wasm/keypair';
    import { varaExactScheme, VARA_TESTNET } from 'x402-vara-wasm/x402';
    const options: X402Options = { rpcUrls: { [VARA_TESTNET]: 'http://127.0.0.1:8000' }, genesisHashes: { [VARA_TESTNET]: '0x' }, networks: [VARA_TESTNET] };
    export const scheme = varaExactScheme(Keypair.fromSuri('//Alice'), options);
  `);
});

// No top-level await: the CommonJS consumers cannot have it. The @ts-expect-error lines fail
// the check if `x402` were untyped (`any`) or missing.
const axiosConsumer = `
  import axios from 'axios';
  import { withX402Interceptor, type X402AxiosInfo } from 'x402-vara-wasm/axios';
  import { Keypair } from 'x402-vara-wasm/keypair';
  export async function paid(): Promise<string | undefined> {
    const api = withX402Interceptor(axios.create(), Keypair.fromSuri('//Alice'), { maxAmount: { VARA: '1' } });
    const response = await api.get('http://localhost/paid');
    const info: X402AxiosInfo | undefined = response.x402;
    // @ts-expect-error x402.header is a string
    const wrong: number | undefined = response.x402?.header;
    return [info?.summary.payer, wrong].join() + response.x402?.settlement?.txHash;
  }
`;

for (const [label, options] of [
  ['ESM ("type": "module", .ts)', {}],
  ['CommonJS (.cts in a "type": "module" package)', { file: 'consumer.cts' }],
  ['CommonJS (a package without "type", .ts)', { type: null }],
  ['CommonJS (a package without "type", .ts), without skipLibCheck', { type: null, skipLibCheck: false }],
]) {
  test(`response.x402 of the Axios shim is typed for ${label} consumers (tsc, NodeNext)`, () => typeCheck(axiosConsumer, options));
}
