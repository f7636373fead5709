// Writes tests/fixtures/events-1000.json: real blocks of the local chain (the Vara testnet
// genesis runtime, spec 1000, under chopsticks) for the chain watcher's native tests: each
// block's extrinsics and `System.Events`, one with a transfer that succeeded and one with a
// transfer the chain failed (below the existential deposit to a fresh account).
// Run: node tests/support/make-event-fixtures.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChain, VARA } from './local-chain.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chain = await startChain();
try {
  const api = await chain.api();
  const { Keyring } = await import('@polkadot/keyring');
  const alice = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//Alice');
  await chain.fund(alice.address, 1000n * VARA);
  const bob = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//Bob');
  await chain.fund(bob.address, 10n * VARA);
  const fresh = new Keyring({ type: 'sr25519', ss58Format: 137 }).addFromUri('//fresh-account-never-funded');
  const blocks = [];
  for (const [what, to, amount] of [['success', bob.address, 2n * VARA], ['failed', fresh.address, 1n]]) {
    const hash = await new Promise((resolve, reject) => {
      api.tx.balances.transferKeepAlive(to, amount).signAndSend(alice, ({ status, dispatchError }) => {
        if (status.isInBlock) resolve(status.asInBlock.toHex());
      }).catch(reject);
    });
    const block = await chain.rpc('chain_getBlock', [hash]);
    const events = await chain.rpc('state_getStorage', ['0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7', hash]);
    const decoded = (await api.query.system.events.at(hash)).map((r) => ({
      phase: r.phase.toJSON(), event: `${r.event.section}.${r.event.method}`,
    }));
    blocks.push({ what, hash, number: Number(block.block.header.number), extrinsics: block.block.extrinsics, events, decoded });
  }
  const out = path.join(root, 'tests/fixtures/events-1000.json');
  writeFileSync(out, JSON.stringify({ specVersion: chain.specVersion, blocks }, null, 1) + '\n');
  console.log(`wrote ${out}`);
} finally {
  await chain.stop();
}
