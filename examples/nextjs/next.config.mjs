import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The example uses the repository's node_modules and its freshly built dist/ (linked as
// node_modules/x402-vara-wasm by scripts/build-example.sh), so the root is the repository.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** @type {import('next').NextConfig} */
export default {
  turbopack: { root },
  outputFileTracingRoot: root,
  // For the seller side (the reference facilitator): the polkadot-js packages must be one
  // instance each (sr25519 verification needs the instance whose wasm crypto was
  // initialised). x402-vara-wasm needs no setting (tests/node/nextjs-fresh.test.mjs).
  serverExternalPackages: ['@gear-js/api', '@polkadot/api', '@polkadot/util', '@polkadot/util-crypto', '@polkadot/keyring'],
};
