#!/usr/bin/env bash
# Builds the npm package into dist/. The crate is compiled twice for wasm32: the payment
# client (feature `payments`, the default entry) and the in-wasm key (feature `keypair`,
# `x402-vara-wasm/keypair`), so an app that signs with an extension never ships the key.
# Each: cargo build → wasm-bindgen --target web → npm binaryen's wasm-opt -Oz →
# scripts/embed-wasm.mjs, which embeds the wasm once (base64 of gzip -9, in JS) and writes
# the browser entry (lazy, no top-level await), the Node entries (CommonJS and ESM,
# initialised on load) and the declarations. Then pkg-template/ and js/ (with CommonJS
# copies of the shims) go around them.
#
# Size: with the nightly toolchain and its rust-src (scripts/setup.sh adds both), the
# standard library is rebuilt with `panic = immediate-abort` (-Z build-std), which drops the
# panic machinery (about 9 % of the payment wasm), and without panic locations (-Z
# location-detail=none: nothing prints them). wasm-opt runs -Oz, then --gufa and -Oz again
# (the best of the variants measured in docs/size.md). Without them the stable build is used and
# the wasm is larger; X402_BUILD_STABLE=1 forces it.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=dist
CACHE=.cache/pkg
WASM_OPT=node_modules/.bin/wasm-opt
[ -x "$WASM_OPT" ] || WASM_OPT=$(command -v wasm-opt || true)
[ -n "$WASM_OPT" ] || { echo "wasm-opt not found: run npm ci (npm binaryen) or apt-get install binaryen" >&2; exit 1; }
# The features rustc's wasm32 target emits by default.
FEATURES="--enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int --enable-mutable-globals --enable-reference-types --enable-multivalue"

# cargo for wasm32: nightly with build-std when it is installed, stable otherwise.
cargo_wasm() {
  if [ -z "${X402_BUILD_STABLE:-}" ] && rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src' \
     && rustup target list --toolchain nightly --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    CARGO_TARGET_DIR=target/wasm-build-std RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
      cargo +nightly build --release --lib --target wasm32-unknown-unknown -Z build-std=std,panic_abort "$@"
    echo target/wasm-build-std
  else
    echo "build.sh: nightly rust-src not installed; building the wasm with stable (larger)" >&2
    cargo build --release --lib --target wasm32-unknown-unknown "$@"
    echo target
  fi
}

# build_module <feature> <out-name>: one wasm module, bound and optimised, into $CACHE.
build_module() {
  local target
  target=$(cargo_wasm --no-default-features --features "$1" | tail -n 1)
  wasm-bindgen --target web --out-dir "$CACHE" --out-name "$2" "$target/wasm32-unknown-unknown/release/x402_vara_wasm.wasm"
  "$WASM_OPT" -Oz --gufa -Oz --strip-debug --strip-producers $FEATURES "$CACHE/$2_bg.wasm" -o "$CACHE/$2_bg.wasm"
}

rm -rf "$OUT" "$CACHE"
mkdir -p "$OUT/js" "$CACHE"
# The shims first: the entries import js/errors.js (the one X402Error class).
cp js/*.js js/*.d.ts "$OUT/js/"
build_module payments x402_vara_wasm
build_module keypair x402_vara_keypair
# wrapFetchWithPayment returns a function: before the wasm is loaded it returns one that
# loads it on its first call, instead of throwing NOT_READY.
node scripts/embed-wasm.mjs "$CACHE" x402_vara_wasm "$OUT" index wrapFetchWithPayment
node scripts/embed-wasm.mjs "$CACHE" x402_vara_keypair "$OUT" keypair

cp pkg-template/package.json "$OUT/"
# The npm README is the repository's, without the developer sections.
awk '/<!-- npm-readme-start -->/{on=1; print "# x402-vara-wasm"; next} /<!-- npm-readme-end -->/{on=0} on' README.md > "$OUT/README.md"
node scripts/shims-cjs.mjs "$OUT"
echo "built $OUT/ ($(du -sk "$OUT" | cut -f1) KiB)"
