// The browser test page: a fake Polkadot extension in window.injectedWeb3, backed by a
// polkadot-js keyring and registry (it rebuilds the signing bytes from the payload JSON, as
// a real extension does), and this package paying a server through it.
import { TypeRegistry, Metadata } from '@polkadot/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { wrapFetchWithPayment, getPaymentReceipt } from 'x402-vara-wasm';
import { connectExtension } from 'x402-vara-wasm/signers';

async function rpc(url, method, params = []) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await r.json()).result;
}

async function installFakeExtension(rpcUrl) {
  await cryptoWaitReady();
  const registry = new TypeRegistry();
  registry.setMetadata(new Metadata(registry, await rpc(rpcUrl, 'state_getMetadata')));
  const pair = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//Alice');
  window.signRequests = 0;
  window.injectedWeb3 = {
    'fake-extension': {
      version: '0.0.1',
      enable: async () => ({
        accounts: { get: async () => [{ address: pair.address, name: 'Alice', type: 'sr25519' }] },
        signer: {
          async signPayload(payload) {
            window.signRequests += 1;
            if (window.refuse) throw new Error('Cancelled by the user');
            const { signature } = registry.createType('ExtrinsicPayload', payload, { version: payload.version }).sign(pair);
            return { id: window.signRequests, signature };
          },
        },
      }),
    },
  };
}

window.runPayment = async ({ rpcUrl, genesisHash, url }) => {
  if (!window.injectedWeb3) await installFakeExtension(rpcUrl);
  try {
    const { signer } = await connectExtension({ appName: 'x402 browser test' });
    const pay = wrapFetchWithPayment(fetch, signer, { rpcUrls: { 'vara-testnet': rpcUrl }, genesisHashes: { 'vara-testnet': genesisHash } });
    const response = await pay(url);
    const body = await response.json();
    document.body.textContent = JSON.stringify(body);
    return { status: response.status, body, receipt: getPaymentReceipt(response) };
  } catch (e) {
    return { error: { name: e.name, code: e.code, message: e.message } };
  }
};
window.pageReady = true;
