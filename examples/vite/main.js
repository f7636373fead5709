// The buyer side, no framework: connect a Polkadot extension, pick an account, pay for a
// resource. Where to pay and which chain to use come from /config.json at run time, so one
// build serves testnet and a local chain. The wasm loads on the first payment.
import { wrapFetchWithPayment, getPaymentReceipt } from 'x402-vara-wasm';
import { connectExtension } from 'x402-vara-wasm/signers';
import { formatUnits } from './format.js';

const $ = (id) => document.getElementById(id);
const APP = 'x402 Vara Vite example';
const show = (id, text) => Object.assign($(id), { textContent: text ?? '', hidden: text == null });
const failed = (e) => show('status', `${e.code ?? 'ERROR'}: ${e.message}`);

function options({ rpcUrl, genesisHash }) {
  return {
    maxAmount: { VARA: '100000000000' },
    ...(rpcUrl ? { rpcUrls: { 'vara-testnet': rpcUrl } } : {}),
    ...(genesisHash ? { genesisHashes: { 'vara-testnet': genesisHash } } : {}),
    onBeforePayment: (p) => window.confirm(`Pay ${formatUnits(p.amount)} VARA to ${p.payTo}?`),
  };
}

$('connect').addEventListener('click', async () => {
  show('status', 'connecting…');
  try {
    const { accounts } = await connectExtension({ appName: APP });
    $('account').replaceChildren(...accounts.map((a) => new Option(a.name ?? a.address, a.address)));
    $('account').hidden = false;
    $('pay').disabled = accounts.length === 0;
    show('status', `${accounts.length} account(s)`);
  } catch (e) {
    failed(e);
  }
});

$('pay').addEventListener('click', async () => {
  show('status', 'paying…');
  show('paid', null);
  show('result', null);
  try {
    const { signer } = await connectExtension({ appName: APP, address: $('account').value });
    const config = await (await fetch('/config.json')).json();
    const response = await wrapFetchWithPayment(fetch, signer, options(config))(config.resourceUrl);
    const receipt = getPaymentReceipt(response);
    if (receipt) show('paid', `Paid ${formatUnits(receipt.summary.amount)} VARA, transaction ${receipt.settlement?.txHash}`);
    show('result', JSON.stringify({ body: await response.json(), receipt }, null, 2));
    show('status', `HTTP ${response.status}`);
  } catch (e) {
    failed(e);
  }
});
