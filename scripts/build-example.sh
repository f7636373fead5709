#!/usr/bin/env bash
# Builds the examples against the freshly built dist/ (linked as each example's
# node_modules/x402-vara-wasm; everything else comes from the repository's node_modules):
# the Next.js example with `next build` (Turbopack), the Vite example with `vite build`
# (default config).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/package.json ] || { echo "dist/ is missing: run npm run build" >&2; exit 1; }
for example in nextjs vite; do
  mkdir -p "examples/$example/node_modules"
  ln -sfn ../../../dist "examples/$example/node_modules/x402-vara-wasm"
done
NEXT_TELEMETRY_DISABLED=1 node_modules/.bin/next build examples/nextjs
node_modules/.bin/vite build examples/vite --logLevel warn
