// A fake Polkadot extension for page tests (no real extension can run in headless browsers
// here): `window.injectedWeb3['fake-extension']`, backed by a polkadot-js keyring and a
// registry built from the chain's own metadata. Like a real extension it rebuilds the signing
// bytes from the payload JSON it is given, so a payload the wasm describes wrongly is signed
// wrongly and refused. Bundled as an IIFE by tests/support/browsers.mjs and injected into
// every page before its own scripts run. `window.fakeExtension` counts sign requests and
// `window.fakeExtension.refuse = true` makes it refuse like a user pressing Cancel.
import { TypeRegistry, Metadata } from '@polkadot/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

async function rpc(url, method, params = []) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await r.json()).result;
}

export function installFakeExtension({ rpcUrl, suri = '//Alice', name = 'Alice', refuse = false }) {
  const state = { signRequests: 0, refuse };
  window.fakeExtension = state;
  let loading;
  const load = () => (loading ??= (async () => {
    await cryptoWaitReady();
    const registry = new TypeRegistry();
    registry.setMetadata(new Metadata(registry, await rpc(rpcUrl, 'state_getMetadata')));
    return { registry, pair: new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri(suri) };
  })());

  window.injectedWeb3 = {
    'fake-extension': {
      version: '0.0.1',
      async enable() {
        const { registry, pair } = await load();
        return {
          accounts: { get: async () => [{ address: pair.address, name, type: 'sr25519' }] },
          signer: {
            async signPayload(payload) {
              state.signRequests += 1;
              if (state.refuse) throw new Error('Cancelled by the user');
              const { signature } = registry.createType('ExtrinsicPayload', payload, { version: payload.version }).sign(pair);
              return { id: state.signRequests, signature };
            },
          },
        };
      },
    },
  };
}
