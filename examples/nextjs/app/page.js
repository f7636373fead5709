'use client';
// The buyer side: connect a Polkadot extension, pick an account, fetch the paid route.
// The wasm client loads on first use (dynamic import), not with the page. The chain settings
// come from the server at run time (/api/config), so one build serves testnet and a local chain.
import { useState } from 'react';
import { formatUnits } from './format.js';

async function chainOptions() {
  const { rpcUrl, genesisHash } = await (await fetch('/api/config')).json();
  return {
    ...(rpcUrl ? { rpcUrls: { 'vara-testnet': rpcUrl } } : {}),
    ...(genesisHash ? { genesisHashes: { 'vara-testnet': genesisHash } } : {}),
  };
}

export default function Page() {
  const [accounts, setAccounts] = useState([]);
  const [address, setAddress] = useState('');
  const [status, setStatus] = useState('');
  const [result, setResult] = useState(null);

  async function connect() {
    setStatus('connecting…');
    try {
      const { connectExtension } = await import('x402-vara-wasm/signers');
      const { accounts } = await connectExtension({ appName: 'x402 Vara example' });
      setAccounts(accounts);
      setAddress(accounts[0]?.address ?? '');
      setStatus(`${accounts.length} account(s)`);
    } catch (e) {
      setStatus(`${e.code ?? 'ERROR'}: ${e.message}`);
    }
  }

  async function pay(url) {
    setStatus('paying…');
    setResult(null);
    try {
      const [{ wrapFetchWithPayment, getPaymentReceipt }, { connectExtension }, chain] = await Promise.all([
        import('x402-vara-wasm'),
        import('x402-vara-wasm/signers'),
        chainOptions(),
      ]);
      const { signer } = await connectExtension({ appName: 'x402 Vara example', address });
      const payFetch = wrapFetchWithPayment(fetch, signer, {
        maxAmount: { VARA: '100000000000' },
        ...chain,
        onBeforePayment: (p) => window.confirm(`Pay ${formatUnits(p.amount)} VARA to ${p.payTo}?`),
      });
      const response = await payFetch(url);
      setResult({ body: await response.json(), receipt: getPaymentReceipt(response) });
      setStatus(`HTTP ${response.status}`);
    } catch (e) {
      setStatus(`${e.code ?? 'ERROR'}: ${e.message}`);
    }
  }

  return (
    <main>
      <h1>x402 on Vara</h1>
      <p>A paid API route, paid from your Polkadot extension (Polkadot&#123;.js&#125;, Talisman, SubWallet).</p>
      <button onClick={connect}>Connect extension</button>{' '}
      {accounts.length > 0 && (
        <select value={address} onChange={(e) => setAddress(e.target.value)}>
          {accounts.map((a) => <option key={a.address} value={a.address}>{a.name ?? a.address}</option>)}
        </select>
      )}{' '}
      <button onClick={() => pay('/api/paid')} disabled={!address}>Fetch paid joke</button>{' '}
      <button onClick={() => pay('/api/paid-v2')} disabled={!address}>Fetch paid joke (x402 v2)</button>
      <p id="status">{status}</p>
      {result?.receipt && <p id="paid">Paid {formatUnits(result.receipt.summary.amount)} VARA, transaction {result.receipt.settlement?.txHash}</p>}
      {result && <pre id="result">{JSON.stringify(result, null, 2)}</pre>}
    </main>
  );
}
