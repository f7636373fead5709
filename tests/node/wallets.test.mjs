// Every wallet a Vara user holds, offline: the RFC-78 metadata digest against
// @polkadot-api/merkleize-metadata, CheckMetadataHash mode 1 against polkadot-js's
// ExtrinsicPayload, ed25519 and ecdsa signers, the stand-in extension (tests/browser/
// fake-extension.js) in its Polkadot{.js} and Talisman behaviours, polkadot-api signers
// (@polkadot-api/signer, @polkadot-api/pjs-signer), and what connectExtension says when it
// cannot connect. Chain data comes from the scripted node (tests/support/stand-ins.js)
// serving real Vara metadata: no local runtime has CheckMetadataHash (the testnet genesis
// runtime, spec 1000, predates it), so mode 1 is checked against the two references, and
// tests/node/wallets-e2e.test.mjs pays the local chain with every account kind.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, signatureVerify, blake2AsU8a } from '@polkadot/util-crypto';
import { u8aToHex, hexToU8a } from '@polkadot/util';
import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';
import { getPolkadotSigner, withMetadataHash } from '@polkadot-api/signer';
import { connectInjectedExtension } from '@polkadot-api/pjs-signer';
import axios from 'axios';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { scriptedRpc } from '../support/scripted-rpc.mjs';
import { installFakeExtension, ACCOUNT_KINDS } from '../browser/fake-extension.js';

const { connectExtension, fromKeyringPair, fromSignBytes, fromInjectedSigner } = await import('../../dist/js/signers.js');
const { varaExactScheme } = await import('../../dist/js/x402.js');
const { withX402Interceptor } = await import('../../dist/js/axios.js');

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const MAINNET = '0xfe1b4c55fd4d668101126434206571a7838a8b6b93a6d1b95d607e78e6c53763';
const TESTNET = '0x525639f713f397dcf839bd022cd821f367ebcf179de7b9253531f8adbe5436d6';
const fixture = (file) => path.join(repoRoot, 'tests/fixtures', file);
// Metadata V15 of three Vara runtimes (tests/fixtures/README.md); the V14 one has no digest.
const V15 = [
  { file: 'vara-recent.metadata.scale', specVersion: 20000 },
  { file: 'vara-11000.metadata.scale', specVersion: 11000 },
];

const requirements = (network = 'vara-testnet', extra = {}) => ({
  scheme: 'exact', network, maxAmountRequired: '50000000000', resource: 'http://127.0.0.1/paid',
  description: 'test', mimeType: 'application/json', payTo: BOB, maxTimeoutSeconds: 60, outputSchema: null, extra: null, ...extra,
});

function registryOf(file) {
  const registry = new TypeRegistry();
  registry.setMetadata(new Metadata(registry, readFileSync(fixture(file))));
  return registry;
}
const hashed = (u8a) => (u8a.length > 256 ? blake2AsU8a(u8a) : u8a);
const payloadBytes = (registry, tx) => registry.createType('ExtrinsicPayload', tx, { version: tx.version }).toU8a({ method: true });

/** A scripted node for `file` on the public `network` (mode 1 by default) or a dev chain. */
function chainOf({ file = 'vara-recent.metadata.scale', specVersion = 20000, genesisHash = TESTNET, network = 'vara-testnet' } = {}) {
  const rpc = scriptedRpc({ metadataPath: fixture(file), specVersion, genesisHash });
  return { rpc, options: { rpcFetch: rpc.rpcFetch, genesisHashes: { [network]: genesisHash } } };
}

/** The JSON-RPC of a scripted node as a function, for the stand-in extension. */
const rpcOf = (rpc) => async (method, params) => {
  const r = await rpc.rpcFetch('http://node', { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await r.json()).result;
};

const keyring = new Keyring({ ss58Format: 137 });
let alice, aliceEd, aliceEcdsa;
before(async () => {
  await cryptoWaitReady();
  alice = keyring.addFromUri('//Alice', {}, 'sr25519');
  aliceEd = keyring.addFromUri(ACCOUNT_KINDS.ed25519.suri, {}, 'ed25519');
  aliceEcdsa = keyring.addFromUri(ACCOUNT_KINDS.ecdsa.suri, {}, 'ecdsa');
});

describe('the RFC-78 metadata digest', () => {
  // Each runtime is its own chain (genesis), so the client's per-chain cache does not carry
  // one runtime's facts over to the next; mode 1 is asked for explicitly on these dev chains.
  let chainNo = 0;
  for (const { file, specVersion } of V15) {
    for (const [network, tokenSymbol] of [['vara-testnet', 'TVARA'], ['vara', 'VARA']]) {
      test(`${file} on ${network}: byte for byte @polkadot-api/merkleize-metadata's, signed in mode 1`, async () => {
        const genesisHash = '0x' + (++chainNo).toString(16).padStart(2, '0').repeat(32);
        const { options } = chainOf({ file, specVersion, genesisHash, network });
        const out = await wasm.createPaymentHeader(requirements(network), wasm.Keypair.fromSuri('//Alice'), { ...options, metadataHash: true });
        const tx = out.payload.payload.transaction;
        const reference = u8aToHex(merkleizeMetadata(readFileSync(fixture(file)), { decimals: 12, tokenSymbol, base58Prefix: 137 }).digest());
        assert.equal(tx.mode, 1);
        assert.equal(tx.metadataHash, reference);
      });
    }
  }

  test('the public networks sign in mode 1 by default', async () => {
    for (const [network, genesisHash] of [['vara-testnet', TESTNET], ['vara', MAINNET]]) {
      const out = await wasm.createPaymentHeader(requirements(network), wasm.Keypair.fromSuri('//Alice'), chainOf({ genesisHash, network }).options);
      assert.equal(out.payload.payload.transaction.mode, 1, network);
    }
  });

  test('the V14 fixture has no CheckMetadataHash and no digest: mode 0 and no metadata read for it', async () => {
    const { rpc, options } = chainOf({ file: 'vara-1000.metadata.scale', specVersion: 1000, genesisHash: '0x' + '14'.repeat(32) });
    const out = await wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Alice'), { ...options, metadataHash: true });
    assert.equal(out.payload.payload.transaction.mode, undefined);
    assert.equal(rpc.calls.includes('state_call'), false);
    assert.throws(() => merkleizeMetadata(readFileSync(fixture('vara-1000.metadata.scale')), { decimals: 12, tokenSymbol: 'TVARA' }), /metadata version/);
  });

  test('cached per runtime version: read and computed once, again after an upgrade', async () => {
    // eraPeriod 4: every payment reads the node (a checkpoint serves period/4 payments).
    const chain = chainOf({ genesisHash: '0x' + 'c4'.repeat(32) });
    const { rpc } = chain;
    const options = { ...chain.options, metadataHash: true, eraPeriod: 4 };
    const key = wasm.Keypair.fromSuri('//Alice//cache');
    const metadataReads = () => rpc.calls.filter((c) => c === 'state_call').length;
    const before = metadataReads();
    for (let i = 0; i < 3; i++) await wasm.createPaymentHeader(requirements(), key, options);
    assert.equal(metadataReads() - before, 1, 'one V15 read for three payments');
    const afterThree = metadataReads();
    rpc.state.specVersion = 20001; // an upgrade: the served metadata says 20000, so the digest is refused
    await assert.rejects(wasm.createPaymentHeader(requirements(), key, options), (e) => e.code === 'RPC_ERROR' && /spec version 20000/.test(e.message));
    assert.equal(metadataReads(), afterThree + 1);
  });

  test('options.metadataHash: false signs mode 0 on a public network; true signs mode 1 on a dev chain', async () => {
    const off = await wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Alice'), { ...chainOf().options, metadataHash: false });
    assert.equal(off.payload.payload.transaction.mode, 0);
    const dev = chainOf({ genesisHash: '0x' + '77'.repeat(32) });
    const auto = await wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Alice'), dev.options);
    assert.equal(auto.payload.payload.transaction.mode, 0, 'a dev chain: mode 0 unless asked');
    const on = await wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Alice'), { ...dev.options, metadataHash: true });
    assert.equal(on.payload.payload.transaction.mode, 1);
    await assert.rejects(wasm.createPaymentHeader(requirements(), wasm.Keypair.fromSuri('//Alice'), { ...dev.options, metadataHash: 'yes' }),
      (e) => e.code === 'INVALID_OPTIONS' && /metadataHash/.test(e.message));
  });
});

describe('mode 1 against polkadot-js', () => {
  const registry = registryOf('vara-recent.metadata.scale');

  test("polkadot-js's ExtrinsicPayload with mode 1 and our digest is exactly our signing bytes", async () => {
    let seen;
    const signer = fromSignBytes(alice.address, (bytes) => { seen = bytes; return alice.sign(bytes); }, { type: 'sr25519' });
    const out = await wasm.createPaymentHeader(requirements(), signer, chainOf().options);
    const tx = out.payload.payload.transaction;
    assert.equal(tx.mode, 1);
    assert.deepEqual(seen, hashed(payloadBytes(registry, tx)));
    assert.equal(signatureVerify(seen, out.payload.payload.signature, tx.address).isValid, true);
    // The signed extrinsic polkadot-js builds from the header carries mode 1.
    const ext = registry.createType('Extrinsic', { method: tx.method }, { version: 4 });
    ext.addSignature(tx.address, out.payload.payload.signature, tx);
    assert.equal(registry.createType('Extrinsic', ext.toHex()).inner.signature.mode.toNumber(), 1);
  });

  test('a signature over the mode-0 bytes is refused when mode 1 was asked', async () => {
    // A wallet that drops mode and metadataHash (an old extension) and signs what is left.
    const oldWallet = {
      address: alice.address,
      async signPayload(payload) {
        const { mode, metadataHash, ...rest } = payload;
        return registry.createType('ExtrinsicPayload', { ...rest, mode: 0 }, { version: 4 }).sign(alice);
      },
    };
    await assert.rejects(wasm.createPaymentHeader(requirements(), oldWallet, chainOf().options),
      (e) => e.code === 'INVALID_SIGNATURE' && /mode 0\) where mode 1 was asked/.test(e.message));
  });
});

describe('ed25519 and ecdsa accounts', () => {
  const registry = registryOf('vara-recent.metadata.scale');
  for (const [kind, pair] of [['ed25519', () => aliceEd], ['ecdsa', () => aliceEcdsa]]) {
    for (const [form, make] of [
      ['keyring pair', (p) => p],
      ['fromKeyringPair', (p) => fromKeyringPair(p)],
      ['callback, bare signature', (p) => fromSignBytes(p.address, (b) => p.sign(b), { type: p.type })],
      ['callback, typed signature', (p) => fromSignBytes(p.address, (b) => p.sign(b, { withType: true }))],
    ]) {
      test(`${kind} ${form}: signed, checked, and polkadot-js verifies it (mode 1)`, async () => {
        const out = await wasm.createPaymentHeader(requirements(), make(pair()), chainOf().options);
        const tx = out.payload.payload.transaction;
        assert.equal(tx.address, pair().address);
        const signature = hexToU8a(out.payload.payload.signature);
        assert.equal(signature[0], kind === 'ed25519' ? 0 : 2, 'the MultiSignature variant');
        assert.equal(signature.length, kind === 'ed25519' ? 65 : 66);
        const verified = signatureVerify(hashed(payloadBytes(registry, tx)), signature, tx.address);
        assert.deepEqual([verified.isValid, verified.crypto], [true, kind]);
      });
    }
  }

  test('an ecdsa account id is blake2-256 of the compressed key: verifySignature recovers it', async () => {
    const message = new Uint8Array([1, 2, 3]);
    const signature = aliceEcdsa.sign(message);
    assert.equal(aliceEcdsa.publicKey.length, 33);
    assert.equal(wasm.addressToPublicKey(aliceEcdsa.address), u8aToHex(blake2AsU8a(aliceEcdsa.publicKey)));
    assert.equal(wasm.verifySignature(message, signature, aliceEcdsa.address), true);
    assert.equal(wasm.verifySignature(message, aliceEd.sign(message), aliceEd.address), true);
    assert.equal(wasm.verifySignature(message, signature, aliceEd.address), false);
  });

  test("a signature by another key, or of another kind than declared, is refused before anything is sent", async () => {
    const wrong = fromSignBytes(aliceEd.address, (b) => alice.sign(b), { type: 'ed25519' });
    await assert.rejects(wasm.createPaymentHeader(requirements(), wrong, chainOf().options),
      (e) => e.code === 'INVALID_SIGNATURE' && /ed25519 signature does not verify/.test(e.message));
    const eth = { ...fromSignBytes(aliceEcdsa.address, () => new Uint8Array(65)), type: 'ethereum' };
    await assert.rejects(wasm.createPaymentHeader(requirements(), eth, chainOf().options),
      (e) => e.code === 'INVALID_OPTIONS' && /ethereum/.test(e.message));
  });
});

describe('the stand-in extension, as Polkadot{.js} and Talisman behave', () => {
  const install = (config) => {
    globalThis.injectedWeb3 = {};
    installFakeExtension({ rpc: rpcOf(chainOf().rpc), ...config });
  };
  after(() => { delete globalThis.injectedWeb3; delete globalThis.fakeExtension; });

  for (const style of ['polkadot-js', 'talisman']) {
    for (const kind of ['sr25519', 'ed25519', 'ecdsa']) {
      test(`${style}, ${kind} account: pays in mode 1${style === 'talisman' ? ' (its signedTransaction decoded and checked)' : ''}`, async () => {
        install({ style, accounts: [kind] });
        const { signer, account } = await connectExtension({ appName: 'test' });
        assert.equal(account.type, kind);
        const out = await wasm.createPaymentHeader(requirements(), signer, chainOf().options);
        assert.equal(out.payload.payload.transaction.mode, 1);
        assert.equal(globalThis.fakeExtension.payloads.at(-1).withSignedTransaction, true);
        assert.equal(globalThis.fakeExtension.payloads.at(-1).metadataHash, out.payload.payload.transaction.metadataHash);
      });
    }

    test(`${style}, Ledger account: signs mode 1 with the wallet's own digest, returned as signedTransaction`, async () => {
      install({ style, accounts: ['ledger'] });
      const { signer } = await connectExtension({ appName: 'test' });
      const out = await wasm.createPaymentHeader(requirements(), signer, chainOf().options);
      const tx = out.payload.payload.transaction;
      assert.equal(tx.mode, 1);
      assert.equal(hexToU8a(out.payload.payload.signature)[0], 0, 'ed25519');
      const registry = registryOf('vara-recent.metadata.scale');
      assert.equal(signatureVerify(hashed(payloadBytes(registry, tx)), out.payload.payload.signature, tx.address).isValid, true);
    });

    test(`${style}, Ledger account whose wallet holds other chain data (VARA on the testnet): refused, with the reason`, async () => {
      install({ style, accounts: ['ledger'], tokenSymbol: 'VARA' });
      const { signer } = await connectExtension({ appName: 'test' });
      await assert.rejects(wasm.createPaymentHeader(requirements(), signer, chainOf().options),
        (e) => e.code === 'INVALID_SIGNATURE' && /out of date/.test(e.message));
    });
  }

  test('Talisman refuses Ledger signing without withSignedTransaction; its words reach the caller once', async () => {
    install({ style: 'talisman', accounts: ['ledger'] });
    const injected = await globalThis.injectedWeb3['fake-extension'].enable('test');
    const bare = { address: (await injected.accounts.get())[0].address, signPayload: (p) => injected.signer.signPayload({ ...p, withSignedTransaction: false }) };
    await assert.rejects(wasm.createPaymentHeader(requirements(), bare, chainOf().options),
      (e) => e.code === 'SIGNER_REJECTED' && e.message === 'the signer refused: This dapp needs to be updated in order to support Ledger signing.');
  });

  test('a signedTransaction that changes what is paid is refused, naming the change', async () => {
    install({ style: 'talisman', accounts: ['sr25519'] });
    const injected = await globalThis.injectedWeb3['fake-extension'].enable('test');
    const registry = registryOf('vara-recent.metadata.scale');
    // A wallet that pays one planck more than it was shown (the signature is its own, valid).
    const tamper = {
      async signPayload(payload) {
        const call = registry.createType('Call', payload.method);
        const more = registry.createType('Call', { callIndex: call.callIndex, args: { dest: call.args[0], value: call.args[1].toBigInt() + 1n } });
        return injected.signer.signPayload({ ...payload, method: more.toHex() });
      },
    };
    const signer = fromInjectedSigner(tamper, alice.address);
    await assert.rejects(wasm.createPaymentHeader(requirements(), signer, chainOf().options),
      (e) => e.code === 'INVALID_SIGNATURE' && /changed the call/.test(e.message));
  });

  test('a dev chain: the Ledger account is refused with the wallet-side reason (mode 1 was not asked)', async () => {
    install({ style: 'polkadot-js', accounts: ['ledger'] });
    const { signer } = await connectExtension({ appName: 'test' });
    const dev = chainOf({ genesisHash: '0x' + '78'.repeat(32) });
    await assert.rejects(wasm.createPaymentHeader(requirements(), signer, dev.options),
      (e) => e.code === 'INVALID_SIGNATURE' && /mode 1 where mode 0 was asked.*metadataHash/.test(e.message));
  });
});

describe('polkadot-api signers', () => {
  const registry = registryOf('vara-recent.metadata.scale');
  const merkleized = merkleizeMetadata(readFileSync(fixture('vara-recent.metadata.scale')), { decimals: 12, tokenSymbol: 'TVARA', base58Prefix: 137 });
  const signers = {
    'sr25519 (getPolkadotSigner)': () => getPolkadotSigner(alice.publicKey, 'Sr25519', (b) => alice.sign(b)),
    'ed25519 (getPolkadotSigner)': () => getPolkadotSigner(aliceEd.publicKey, 'Ed25519', (b) => aliceEd.sign(b)),
    'sr25519 withMetadataHash': () => withMetadataHash({ decimals: 12, tokenSymbol: 'TVARA' }, getPolkadotSigner(alice.publicKey, 'Sr25519', (b) => alice.sign(b))),
    'ed25519 withMetadataHash': () => withMetadataHash({ decimals: 12, tokenSymbol: 'TVARA' }, getPolkadotSigner(aliceEd.publicKey, 'Ed25519', (b) => aliceEd.sign(b))),
  };
  for (const [name, make] of Object.entries(signers)) {
    test(`${name}: the transaction it builds is ours, as polkadot-js rebuilds it from the header`, async () => {
      const signer = make();
      let built;
      const watched = { ...signer, signTx: async (...args) => (built = await signer.signTx(...args)) };
      const out = await wasm.createPaymentHeader(requirements(), watched, chainOf().options);
      const { transaction: tx, signature } = out.payload.payload;
      assert.equal(tx.mode, 1);
      const ext = registry.createType('Extrinsic', { method: tx.method }, { version: 4 });
      ext.addSignature(tx.address, signature, tx);
      assert.equal(ext.toHex(), u8aToHex(built), 'the signer\'s extrinsic, byte for byte');
      assert.equal(signatureVerify(hashed(payloadBytes(registry, tx)), signature, tx.address).isValid, true);
      // polkadot-api's own decoder takes the whole extrinsic (address, signature, extensions,
      // call) against the runtime's types, and polkadot-js reads the payment in its call.
      merkleized.getProofForExtrinsic(built);
      const call = registry.createType('Extrinsic', built).method;
      assert.equal(`${call.section}.${call.method}`, 'balances.transferKeepAlive');
      assert.equal(call.args[1].toString(), '50000000000');
    });
  }

  test('withMetadataHash with another token symbol than the chain\'s: refused (the chain would reject it)', async () => {
    const signer = withMetadataHash({ decimals: 12, tokenSymbol: 'VARA' }, getPolkadotSigner(alice.publicKey, 'Sr25519', (b) => alice.sign(b)));
    await assert.rejects(wasm.createPaymentHeader(requirements(), signer, chainOf().options), (e) => e.code === 'INVALID_SIGNATURE');
  });

  test('withMetadataHash on a dev chain where mode 0 was asked: refused, naming options.metadataHash', async () => {
    const signer = withMetadataHash({ decimals: 12, tokenSymbol: 'TVARA' }, getPolkadotSigner(alice.publicKey, 'Sr25519', (b) => alice.sign(b)));
    const dev = chainOf({ genesisHash: '0x' + '78'.repeat(32) });
    const on = await wasm.createPaymentHeader(requirements(), signer, { ...dev.options, metadataHash: true });
    assert.equal(on.payload.payload.transaction.mode, 1);
    // The digest is cached now; mode 0 is still what is asked without the option.
    await assert.rejects(wasm.createPaymentHeader(requirements(), signer, dev.options),
      (e) => e.code === 'INVALID_SIGNATURE' && /mode 1 where mode 0 was asked.*metadataHash/.test(e.message));
  });

  for (const style of ['polkadot-js', 'talisman']) {
    test(`@polkadot-api/pjs-signer over the stand-in extension (${style}): every account kind pays`, async () => {
      globalThis.window = globalThis;
      globalThis.injectedWeb3 = {};
      installFakeExtension({ rpc: rpcOf(chainOf().rpc), style, accounts: ['sr25519', 'ed25519', 'ecdsa', 'ledger'] });
      const extension = await connectInjectedExtension('fake-extension', 'test');
      const accounts = extension.getAccounts();
      assert.deepEqual(accounts.map((a) => a.type), ['sr25519', 'ed25519', 'ecdsa', 'ed25519']);
      for (const account of accounts) {
        const out = await wasm.createPaymentHeader(requirements(), account.polkadotSigner, chainOf().options);
        assert.equal(out.payload.payload.transaction.mode, 1);
        assert.equal(out.summary.payer, account.address);
      }
      extension.disconnect();
      delete globalThis.window;
    });
  }

  test('every entry point takes one: sendWithPayment, varaExactScheme (@x402), the Axios shim', async () => {
    const signer = getPolkadotSigner(aliceEd.publicKey, 'Ed25519', (b) => aliceEd.sign(b));
    const { options } = chainOf();
    const sent = await wasm.sendWithPayment(requirements(), signer, async () => ({ status: 200 }), options);
    assert.equal(sent.summary.payer, aliceEd.address);
    const scheme = varaExactScheme(signer, options);
    const payload = await scheme.createPaymentPayload(1, requirements());
    assert.equal(payload.payload.transaction.address, aliceEd.address);
    assert.equal(hexToU8a(payload.payload.signature)[0], 0, 'ed25519');
    assert.doesNotThrow(() => withX402Interceptor(axios.create(), signer, options)); // paid in wallets-e2e
  });

  test('a signer that returns another payer\'s transaction is refused', async () => {
    const bob = keyring.addFromUri('//Bob', {}, 'sr25519');
    const liar = { publicKey: alice.publicKey, signTx: (...args) => getPolkadotSigner(bob.publicKey, 'Sr25519', (b) => bob.sign(b)).signTx(...args) };
    await assert.rejects(wasm.createPaymentHeader(requirements(), liar, chainOf().options),
      (e) => e.code === 'INVALID_SIGNATURE' && /changed the payer/.test(e.message));
  });
});

describe('connectExtension: what it says when it cannot connect', () => {
  after(() => { delete globalThis.injectedWeb3; });

  test('no wallet installed: WALLET_NOT_FOUND, naming wallets that work', async () => {
    await assert.rejects(connectExtension({ appName: 'shop', injectedWeb3: {} }),
      (e) => e.code === 'WALLET_NOT_FOUND' && /Polkadot\{\.js\}, Talisman or SubWallet/.test(e.message));
    delete globalThis.injectedWeb3;
    await assert.rejects(connectExtension({ appName: 'shop' }), (e) => e.code === 'WALLET_NOT_FOUND');
  });

  test('the named wallet is not installed: WALLET_NOT_FOUND, naming the installed ones', async () => {
    globalThis.injectedWeb3 = {};
    installFakeExtension({ rpc: rpcOf(chainOf().rpc), name: 'polkadot-js' });
    await assert.rejects(connectExtension({ appName: 'shop', source: 'talisman' }),
      (e) => e.code === 'WALLET_NOT_FOUND' && /"talisman" is not installed.*installed: polkadot-js/.test(e.message));
  });

  test('a wallet with only an EVM account: NO_USABLE_ACCOUNT, naming what it found and what would work', async () => {
    globalThis.injectedWeb3 = {};
    installFakeExtension({ rpc: rpcOf(chainOf().rpc), accounts: ['ethereum'] });
    await assert.rejects(connectExtension({ appName: 'shop' }), (e) => e.code === 'NO_USABLE_ACCOUNT'
      && /Alice EVM .*\(ethereum\): ethereum accounts cannot sign Vara transactions/.test(e.message)
      && /sr25519, ed25519 \(Ledger\) or ecdsa/.test(e.message));
  });

  test('a wallet sharing no account with the site, or not the one asked for: NO_USABLE_ACCOUNT', async () => {
    globalThis.injectedWeb3 = {};
    installFakeExtension({ rpc: rpcOf(chainOf().rpc), accounts: [] });
    await assert.rejects(connectExtension({ appName: 'shop' }), (e) => e.code === 'NO_USABLE_ACCOUNT' && /shares no account/.test(e.message));
    installFakeExtension({ rpc: rpcOf(chainOf().rpc), accounts: ['ed25519'] });
    await assert.rejects(connectExtension({ appName: 'shop', address: BOB }),
      (e) => e.code === 'NO_USABLE_ACCOUNT' && e.message.includes(`account ${BOB} is not in fake-extension`) && /ed25519/.test(e.message));
  });

  test('an ed25519-only wallet connects (Ledger accounts are ed25519)', async () => {
    globalThis.injectedWeb3 = {};
    installFakeExtension({ rpc: rpcOf(chainOf().rpc), accounts: ['ethereum', 'ed25519'] });
    const { account, signer } = await connectExtension({ appName: 'shop' });
    assert.equal(account.type, 'ed25519');
    assert.equal(signer.type, 'ed25519');
  });

  test('the user refuses to connect: SIGNER_REJECTED; a Cancel in the popup reads once', async () => {
    const refusing = { wallet: { enable: async () => { throw new Error('Rejected'); } } };
    await assert.rejects(connectExtension({ appName: 'shop', injectedWeb3: refusing }),
      (e) => e.code === 'SIGNER_REJECTED' && e.message === 'wallet did not connect to this site: Rejected');
    globalThis.injectedWeb3 = {};
    installFakeExtension({ rpc: rpcOf(chainOf().rpc), refuse: true });
    const { signer } = await connectExtension({ appName: 'shop' });
    await assert.rejects(wasm.createPaymentHeader(requirements(), signer, chainOf().options),
      (e) => e.code === 'SIGNER_REJECTED' && e.message === 'the signer refused: Cancelled');
  });
});
