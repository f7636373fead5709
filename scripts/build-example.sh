#!/usr/bin/env bash
# Builds the Next.js example against the freshly built dist/ (linked as its
# node_modules/x402-vara-wasm; everything else comes from the repository's node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/package.json ] || { echo "dist/ is missing: run npm run build" >&2; exit 1; }
mkdir -p examples/nextjs/node_modules
ln -sfn ../../../dist examples/nextjs/node_modules/x402-vara-wasm
NEXT_TELEMETRY_DISABLED=1 node_modules/.bin/next build examples/nextjs
