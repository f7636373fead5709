#!/usr/bin/env bash
# Builds the npm package into dist/: ONE wasm-pack build (--target web), wasm-opt -Oz on its
# .wasm, then scripts/embed-wasm.mjs embeds that wasm once (base64 of gzip -9, in JS) and
# writes the browser entry (lazy, no top-level await), the Node entries (CommonJS and ESM,
# initialised on load) and index.d.ts; pkg-template/ and js/ go around them.
# wasm-pack runs with --mode no-install: it uses the wasm-bindgen on PATH (installed by
# scripts/setup.sh at the version in Cargo.lock) and never downloads one; its own wasm-opt
# step is off in Cargo.toml because it would download binaryen — we run npm binaryen's.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=dist
CACHE=.cache/pkg-web
WASM_OPT=node_modules/.bin/wasm-opt
[ -x "$WASM_OPT" ] || WASM_OPT=$(command -v wasm-opt || true)
[ -n "$WASM_OPT" ] || { echo "wasm-opt not found: run npm ci (npm binaryen) or apt-get install binaryen" >&2; exit 1; }
# The features rustc's wasm32 target emits by default.
FEATURES="--enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int --enable-mutable-globals --enable-reference-types --enable-multivalue"

rm -rf "$OUT"
mkdir -p "$OUT"
wasm-pack --log-level warn build --release --mode no-install --no-pack --target web --out-dir "$CACHE" --out-name x402_vara_wasm
"$WASM_OPT" -Oz --strip-debug --strip-producers $FEATURES "$CACHE/x402_vara_wasm_bg.wasm" -o "$CACHE/x402_vara_wasm_bg.wasm"
# wrapFetchWithPayment returns a function: before the wasm is loaded it returns one that
# loads it on its first call, instead of throwing NOT_READY.
node scripts/embed-wasm.mjs "$CACHE" x402_vara_wasm "$OUT" index wrapFetchWithPayment

cp pkg-template/package.json pkg-template/README.md "$OUT/"
mkdir -p "$OUT/js"
cp js/*.js js/*.d.ts "$OUT/js/"
echo "built $OUT/ ($(du -sk "$OUT" | cut -f1) KiB)"
