'use client';
// The buyer side: connect a Polkadot extension, pick an account, fetch the paid route.
// The wasm client loads on first use (dynamic import), not with the page.
import { useState } from 'react';

const RPC = process.env.NEXT_PUBLIC_VARA_RPC; // e.g. http://127.0.0.1:8000 for a local chain
const GENESIS = process.env.NEXT_PUBLIC_VARA_GENESIS;

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
      const [{ wrapFetchWithPayment, getPaymentReceipt }, { connectExtension }] = await Promise.all([
        import('x402-vara-wasm'),
        import('x402-vara-wasm/signers'),
      ]);
      const { signer } = await connectExtension({ appName: 'x402 Vara example', address });
      const payFetch = wrapFetchWithPayment(fetch, signer, {
        maxAmount: { VARA: '100000000000' },
        ...(RPC ? { rpcUrls: { 'vara-testnet': RPC } } : {}),
        ...(GENESIS ? { genesisHashes: { 'vara-testnet': GENESIS } } : {}),
        onBeforePayment: (p) => window.confirm(`Pay ${Number(p.amount) / 1e12} VARA to ${p.payTo}?`),
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
      <p>{status}</p>
      {result && <pre>{JSON.stringify(result, null, 2)}</pre>}
    </main>
  );
}
