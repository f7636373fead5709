// Cross-check against polkadot-js, the reference verifier: for payloads our wasm builds
// against real Vara metadata, polkadot-js must compute the same signing bytes (its
// signatureVerify accepts our signature), and addSignature + decode must yield our call.
// The reverse: a payload signed by polkadot-js's keyring passes our offline checker.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, signatureVerify, blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { wasm, repoRoot } from '../support/wasm-pkg.mjs';
import { scriptedRpc } from '../support/scripted-rpc.mjs';

const BOB = 'kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq';
const TOKEN = '0x' + 'ab'.repeat(32);

// Each runtime is served as its own chain (its own genesis hash), so the client's per-chain
// cache and nonce lane do not carry facts from one runtime over to the other.
const runtimes = [
  { name: 'recent runtime (metadata V15, CheckMetadataHash)', file: 'vara-recent.metadata.scale', specVersion: 20000, genesisHash: '0x' + '15'.repeat(32) },
  { name: 'testnet genesis runtime (metadata V14, spec 1000)', file: 'vara-1000.metadata.scale', specVersion: 1000, genesisHash: '0x' + '14'.repeat(32) },
].filter((r) => existsSync(path.join(repoRoot, 'tests/fixtures', r.file)));

function requirements(extra = {}) {
  return {
    scheme: 'exact', network: 'vara-testnet', maxAmountRequired: '50000000000', resource: 'http://127.0.0.1/paid',
    description: 'test', mimeType: 'application/json', payTo: BOB, maxTimeoutSeconds: 60, outputSchema: null, extra: null, ...extra,
  };
}

function registryFor(file) {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, readFileSync(path.join(repoRoot, 'tests/fixtures', file)));
  registry.setMetadata(metadata);
  return registry;
}

const signingBytes = (registry, tx) => {
  const raw = registry.createType('ExtrinsicPayload', tx, { version: tx.version }).toU8a({ method: true });
  return raw.length > 256 ? blake2AsU8a(raw) : raw;
};

before(cryptoWaitReady);

test('both metadata fixtures are present', () => assert.equal(runtimes.length, 2));

for (const rt of runtimes) {
  describe(rt.name, () => {
    const metadataPath = path.join(repoRoot, 'tests/fixtures', rt.file);
    const registry = registryFor(rt.file);
    const alice = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//Alice');
    const chain = () => {
      const rpc = scriptedRpc({ metadataPath, specVersion: rt.specVersion, genesisHash: rt.genesisHash });
      return { rpc, options: { rpcFetch: rpc.rpcFetch, genesisHashes: { 'vara-testnet': rt.genesisHash } } };
    };

    test('native VARA: polkadot-js verifies our signature and decodes our call', async () => {
      const { options } = chain();
      const key = wasm.Keypair.fromSuri('//Alice');
      const out = await wasm.createPaymentHeader(requirements(), key, options);
      const tx = out.payload.payload.transaction;
      assert.deepEqual(tx.signedExtensions, registry.signedExtensions);
      assert.equal(tx.address, alice.address);

      const bytes = signingBytes(registry, tx);
      assert.equal(signatureVerify(bytes, out.payload.payload.signature, tx.address).isValid, true);

      const ext = registry.createType('Extrinsic', { method: tx.method }, { version: 4 });
      ext.addSignature(tx.address, out.payload.payload.signature, tx);
      const decoded = registry.createType('Extrinsic', ext.toHex());
      assert.equal(decoded.isSigned, true);
      assert.equal(`${decoded.method.section}.${decoded.method.method}`, 'balances.transferKeepAlive');
      assert.equal(u8aToHex(decodeAddress(decoded.method.args[0].toString())), u8aToHex(decodeAddress(BOB)));
      assert.equal(decoded.method.args[1].toString(), '50000000000');
      assert.equal(decoded.nonce.toNumber(), 7, "the node's next nonce for the first payment");
      assert.equal(decoded.era.toHex(), tx.era);
      assert.equal(out.summary.amount, '50000000000');
      assert.equal(out.summary.payTo, BOB);
    });

    test('VFT token: Gear.send_message with the Sails Vft/Transfer payload', async () => {
      const { options } = chain();
      const key = wasm.Keypair.fromSuri('//Alice');
      const out = await wasm.createPaymentHeader(requirements({ asset: TOKEN, maxAmountRequired: '1000000' }), key, {
        ...options, maxAmount: { [TOKEN]: '1000000' },
      });
      const tx = out.payload.payload.transaction;
      assert.equal(out.payload.asset, TOKEN);
      assert.equal(signatureVerify(signingBytes(registry, tx), out.payload.payload.signature, tx.address).isValid, true);
      const call = registry.createType('Call', tx.method);
      assert.equal(`${call.section}.${call.method}`, 'gear.sendMessage');
      assert.equal(call.args[0].toHex(), TOKEN);
      const payload = call.args[1].toU8a(true);
      const vft = registry.createType('(String, String, [u8; 32], U256)', payload);
      assert.equal(vft[0].toString(), 'Vft');
      assert.equal(vft[1].toString(), 'Transfer');
      assert.equal(vft[2].toHex(), u8aToHex(decodeAddress(BOB)));
      assert.equal(vft[3].toString(), '1000000');
      assert.equal(call.args[2].toString(), String(2_000_000_000 * 1.2), 'gas = node min_limit + 20%');
      assert.equal(call.args[3].toString(), '0');
    });

    test('the reverse: a payload signed by the polkadot-js keyring passes our checker', async () => {
      const { options } = chain();
      const key = wasm.Keypair.fromSuri('//Alice');
      const ours = await wasm.createPaymentHeader(requirements(), key, options);
      const tx = ours.payload.payload.transaction;
      const { signature } = registry.createType('ExtrinsicPayload', tx, { version: 4 }).sign(alice);
      const header = Buffer.from(JSON.stringify({ x402Version: 1, scheme: 'exact', payload: { transaction: tx, signature }, network: 'vara-testnet' })).toString('base64');
      const summary = await wasm.inspectPaymentHeader(header, requirements(), options);
      assert.equal(summary.payer, alice.address);
      assert.equal(summary.amount, '50000000000');

      // The same header claiming another amount is refused.
      await assert.rejects(wasm.inspectPaymentHeader(header, requirements({ maxAmountRequired: '1' }), options),
        (e) => e.code === 'PAYMENT_MISMATCH');
      // A signature over other bytes is refused.
      const otherNonce = '0x' + (parseInt(tx.nonce, 16) + 1).toString(16).padStart(8, '0');
      const forged = Buffer.from(JSON.stringify({ x402Version: 1, scheme: 'exact', payload: { transaction: { ...tx, nonce: otherNonce }, signature }, network: 'vara-testnet' })).toString('base64');
      await assert.rejects(wasm.inspectPaymentHeader(forged, null, options), (e) => e.code === 'INVALID_SIGNATURE');
    });
  });
}
