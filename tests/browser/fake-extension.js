// A stand-in Polkadot extension for page tests (no real extension can run in headless
// browsers here): `window.injectedWeb3[name]`, backed by polkadot-js keyring pairs and a
// registry built from the chain's own metadata. It behaves as the public sources of the real
// ones do (polkadot-js/extension 0.5x–0.63: extension-base RequestExtrinsicSign and
// extension-ui LedgerSign; Talisman: extension-core signing/handler.ts and
// SignLedgerSubstrateGeneric.tsx):
// - software accounts (sr25519, ed25519, ecdsa) sign the payload JSON as given, mode and
//   metadataHash included, rebuilding the bytes themselves (a payload the wasm describes
//   wrongly is signed wrongly and refused); Talisman also returns `signedTransaction` when the
//   dapp sets `withSignedTransaction`;
// - Ledger accounts (ed25519, the generic app) ignore the dapp's mode and sign mode 1 with the
//   digest of the metadata the wallet holds (@polkadot-api/merkleize-metadata over metadata
//   V15), returning `signedTransaction`; Talisman refuses them without `withSignedTransaction`
//   and on a runtime without CheckMetadataHash, with Talisman's own messages;
// - a refusal is polkadot-js's `Error('Cancelled')`.
// Bundled as an IIFE by tests/support/browsers.mjs and injected before a page's own scripts.
// `window.fakeExtension` counts sign requests and keeps the last payload; `refuse = true` makes
// it refuse like a user pressing Cancel.
import { TypeRegistry, Metadata } from '@polkadot/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';

async function rpcOver(url, method, params = []) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = await r.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** The account list the tests use: one of each kind (`ledger`: the Ledger generic app). */
export const ACCOUNT_KINDS = {
  sr25519: { suri: '//Alice', type: 'sr25519', name: 'Alice' },
  ed25519: { suri: '//Alice//ed', type: 'ed25519', name: 'Alice ed25519' },
  ecdsa: { suri: '//Alice//ecdsa', type: 'ecdsa', name: 'Alice ecdsa' },
  ledger: { suri: '//Alice//ledger', type: 'ed25519', name: 'Alice Ledger', ledger: true },
  ethereum: { suri: '//Alice//eth', type: 'ethereum', name: 'Alice EVM' },
};

/**
 * `accounts`: keys of ACCOUNT_KINDS or objects like its values. `style`: 'polkadot-js' or
 * 'talisman'. `rpcUrl` (or `rpc(method, params)`): the node the wallet reads metadata from.
 * `tokenSymbol`/`decimals`: what the wallet knows of the chain (for the Ledger digest).
 * Installs itself on `globalThis` (the page's window; Node tests use it too).
 */
export function installFakeExtension({ rpcUrl, rpc = (method, params) => rpcOver(rpcUrl, method, params), accounts = ['sr25519'],
  style = 'polkadot-js', name = 'fake-extension', refuse = false, tokenSymbol = 'TVARA', decimals = 12 } = {}) {
  const state = { signRequests: 0, refuse, payloads: [] };
  globalThis.fakeExtension = state;
  let loading;
  const load = () => (loading ??= (async () => {
    await cryptoWaitReady();
    const registry = new TypeRegistry();
    registry.setMetadata(new Metadata(registry, await rpc('state_getMetadata', [])));
    const pairs = accounts.map((a) => {
      const spec = typeof a === 'string' ? ACCOUNT_KINDS[a] : a;
      // The keyring cannot make "ethereum" pairs from a SURI here; such an account is only listed.
      const type = spec.type === 'ethereum' ? 'ecdsa' : spec.type;
      const pair = new Keyring({ type, ss58Format: 137 }).addFromUri(spec.suri);
      return { spec, pair };
    });
    return { registry, pairs };
  })());

  // The wallet's own metadata hash, as Talisman and polkadot-js compute it for Ledger.
  let digest;
  const ledgerDigest = async (registry) => {
    const hasHash = registry.signedExtensions.includes('CheckMetadataHash');
    if (!hasHash) throw new Error("This network doesn't support Ledger Polkadot Generic App.");
    digest ??= (async () => {
      const v15 = registry.createType('Option<Bytes>', await rpc('state_call', ['Metadata_metadata_at_version', '0x0f000000']));
      if (v15.isNone) throw new Error('To sign with Ledger\'s Polkadot Generic App, the metadata must be present in the extension.');
      return u8aToHex(merkleizeMetadata(v15.unwrap().toU8a(true), { tokenSymbol, decimals, base58Prefix: 137 }).digest());
    })();
    return digest;
  };

  const signedTransaction = (registry, payload, signature) => {
    const tx = registry.createType('Extrinsic', { method: payload.method }, { version: payload.version });
    tx.addSignature(payload.address, signature, payload);
    return tx.toHex();
  };

  globalThis.injectedWeb3 = {
    ...(globalThis.injectedWeb3 ?? {}),
    [name]: {
      version: style === 'talisman' ? '3.0.0' : '0.58.1',
      async enable() {
        const { registry, pairs } = await load();
        const listed = pairs.map(({ spec, pair }) => ({ address: pair.address, name: spec.name, type: spec.type, genesisHash: spec.genesisHash ?? null }));
        return {
          accounts: {
            get: async () => listed,
            subscribe: (cb) => { cb(listed); return () => {}; },
          },
          signer: {
            async signPayload(payload) {
              state.signRequests += 1;
              state.payloads.push(payload);
              if (state.refuse) throw new Error('Cancelled');
              const wanted = u8aToHex(decodeAddress(payload.address));
              const found = pairs.find(({ pair }) => u8aToHex(decodeAddress(pair.address)) === wanted);
              if (!found || found.spec.type === 'ethereum') throw new Error('Unable to find account');
              const { spec, pair } = found;
              if (spec.ledger) {
                if (style === 'talisman' && !payload.withSignedTransaction) {
                  throw new Error('This dapp needs to be updated in order to support Ledger signing.');
                }
                const modified = { ...payload, mode: 1, metadataHash: await ledgerDigest(registry) };
                const { signature } = registry.createType('ExtrinsicPayload', modified, { version: payload.version }).sign(pair);
                return { id: state.signRequests, signature, signedTransaction: signedTransaction(registry, modified, signature) };
              }
              const { signature } = registry.createType('ExtrinsicPayload', payload, { version: payload.version }).sign(pair);
              const answer = { id: state.signRequests, signature };
              if (style === 'talisman' && payload.withSignedTransaction) answer.signedTransaction = signedTransaction(registry, payload, signature);
              return answer;
            },
            async signRaw() {
              throw new Error('signRaw is not used for payments');
            },
          },
        };
      },
    },
  };
}
