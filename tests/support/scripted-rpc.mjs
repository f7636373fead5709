// A stand-in JSON-RPC node: it serves a REAL Vara metadata blob and realistic chain values
// through the client's `rpcFetch` hook, so no process has to run. Tests change `node.state`
// to script a runtime upgrade, a reorg or a lie. (The end-to-end suites use a real Vara
// runtime instead.)
import { readFileSync } from 'node:fs';

export const TESTNET_GENESIS = '0x525639f713f397dcf839bd022cd821f367ebcf179de7b9253531f8adbe5436d6';

/** A SCALE `AccountInfo`: four u32 counters, then free, reserved, frozen and flags (u128 LE). */
export function accountInfo(free) {
  const bytes = Buffer.alloc(80);
  bytes.writeBigUInt64LE(BigInt(free) & 0xffffffffffffffffn, 16);
  bytes.writeBigUInt64LE(BigInt(free) >> 64n, 24);
  return '0x' + bytes.toString('hex');
}

export function scriptedRpc({ metadataPath, metadata, specVersion, transactionVersion = 1, genesisHash = TESTNET_GENESIS,
  blockNumber = 1_234_567, parentHash = '0x' + '11'.repeat(32), nonce = 7, accountExists = true, gasMinLimit = 2_000_000_000 }) {
  const state = {
    metadataHex: '0x' + Buffer.from(metadata ?? readFileSync(metadataPath)).toString('hex'),
    specVersion, transactionVersion, genesisHash, blockNumber, parentHash, nonce, accountExists, gasMinLimit,
  };
  const calls = [];
  const answer = ({ id, method }) => {
    calls.push(method);
    const results = {
      chain_getBlockHash: state.genesisHash,
      state_getRuntimeVersion: { specName: 'vara', specVersion: state.specVersion, transactionVersion: state.transactionVersion },
      state_getMetadata: state.metadataHex,
      chain_getHeader: {
        parentHash: state.parentHash, number: '0x' + state.blockNumber.toString(16),
        stateRoot: '0x' + '22'.repeat(32), extrinsicsRoot: '0x' + '33'.repeat(32), digest: { logs: [] },
      },
      system_accountNextIndex: state.nonce,
      // Every account exists and holds 1,000,000 VARA unless told otherwise.
      state_getStorage: state.accountExists ? accountInfo(10n ** 18n) : null,
      gear_calculateHandleGas: { min_limit: state.gasMinLimit, reserved: 0, burned: 0, may_be_returned: 0, waited: false },
    };
    if (!(method in results)) return { jsonrpc: '2.0', id, error: { code: -32601, message: `no ${method}` } };
    return { jsonrpc: '2.0', id, result: results[method] };
  };
  const rpcFetch = async (_url, init) => {
    const body = JSON.parse(init.body);
    const out = Array.isArray(body) ? body.map(answer) : answer(body);
    return new Response(JSON.stringify(out), { headers: { 'content-type': 'application/json' } });
  };
  return { rpcFetch, calls, genesisHash, state };
}
