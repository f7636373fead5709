#!/usr/bin/env bash
# Builds the examples against the freshly built dist/ (linked as each example's
# node_modules/x402-vara-wasm; everything else comes from the repository's node_modules):
# the Next.js example with `next build` (Turbopack) and, from a copy in .cache/, with
# `next build --webpack`; the Vite example with `vite build` (default config).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/package.json ] || { echo "dist/ is missing: run npm run build" >&2; exit 1; }
for example in nextjs vite; do
  mkdir -p "examples/$example/node_modules"
  ln -sfn ../../../dist "examples/$example/node_modules/x402-vara-wasm"
done
NEXT_TELEMETRY_DISABLED=1 node_modules/.bin/next build examples/nextjs
# The copy's next.config.mjs finds the repository two folders up, as the original does.
copy=.cache/nextjs-webpack
rm -rf "$copy" && mkdir -p "$copy/node_modules"
(cd examples/nextjs && cp -r app proxy.js next.config.mjs package.json "../../$copy/")
ln -sfn ../../../dist "$copy/node_modules/x402-vara-wasm"
NEXT_TELEMETRY_DISABLED=1 node_modules/.bin/next build --webpack "$copy"
node_modules/.bin/vite build examples/vite --logLevel warn
