#!/usr/bin/env bash
# Installs everything the build and the tests need on a bare machine (rustup/cargo, Node 20,
# npm and apt present). Idempotent: each step is skipped when already satisfied. Nothing is
# downloaded from GitHub: wasm-pack, wasm-bindgen-cli, geckodriver, cargo-fuzz and cargo-mutants
# come from crates.io, Chromium, Firefox ESR, WebKitGTK's WebKitWebDriver and their drivers from Debian
# (Xvfb for WebKitGTK's MiniBrowser, which has no headless mode), redis-server (the fleet tests start
# their own), wasm-opt from npm binaryen.
set -euo pipefail
cd "$(dirname "$0")/.."

t0=$SECONDS
step() { local s=$SECONDS; echo "== setup: $1"; shift; "$@"; echo "   ($((SECONDS - s)) s)"; }

rust_target() { rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown; }

# The gtest suite (tests/vft) builds a real Gear program: gear-wasm-builder compiles it for
# wasm32v1-none with the active toolchain (and optimises it with the wasm-opt on PATH).
gear_target() { rustup target list --installed | grep -qx wasm32v1-none || rustup target add wasm32v1-none; }

# The size-optimised wasm build (scripts/build.sh) rebuilds the standard library with
# nightly's -Z build-std: nightly's wasm32 target and rust-src, from rustup. When rustup cannot
# get them, the build falls back to stable (larger wasm) and says so.
nightly_parts() {
  if ! rustup toolchain list | grep -q '^nightly'; then echo "   no nightly toolchain: the wasm is built with stable"; return; fi
  rustup target list --toolchain nightly --installed | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown --toolchain nightly || echo "   could not add nightly's wasm32 target"
  rustup component list --toolchain nightly --installed | grep -q '^rust-src' \
    || rustup component add rust-src --toolchain nightly || echo "   could not add nightly's rust-src"
}

WASM_PACK_VERSION=0.15.1
wasm_pack() {
  if [ "$(wasm-pack --version 2>/dev/null)" = "wasm-pack $WASM_PACK_VERSION" ]; then echo "   wasm-pack $WASM_PACK_VERSION present"; return; fi
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked
}

# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly.
wasm_bindgen_cli() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $want" ]; then echo "   wasm-bindgen $want present"; return; fi
  # Not --locked: the CLI's lock file pins a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$want"
}

APT_PACKAGES="chromium chromium-driver firefox-esr webkit2gtk-driver xvfb xauth binaryen zstd redis-server"
apt_packages() {
  local missing=()
  for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then echo "   apt packages present"; return; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Firefox's WebDriver, for the wasm-bindgen tests in Firefox (puppeteer-core needs none).
GECKODRIVER_VERSION=0.37.1
geckodriver_bin() {
  if [ "$(geckodriver --version 2>/dev/null | head -1)" = "geckodriver $GECKODRIVER_VERSION" ]; then echo "   geckodriver $GECKODRIVER_VERSION present"; return; fi
  cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked
}

# The fuzz targets (scripts/fuzz.sh, and its smoke in scripts/test-all.sh) need nightly
# (libFuzzer's instrumentation) and cargo-fuzz, from crates.io.
CARGO_FUZZ_VERSION=0.13.1
cargo_fuzz() {
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  if [ "$(cargo fuzz --version 2>/dev/null)" = "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then echo "   cargo-fuzz $CARGO_FUZZ_VERSION present"; return; fi
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
}

# Mutation testing (scripts/mutants.sh; the signer's mutants run in scripts/test-all.sh).
CARGO_MUTANTS_VERSION=27.1.0
cargo_mutants() {
  if [ "$(cargo mutants --version 2>/dev/null)" = "cargo-mutants $CARGO_MUTANTS_VERSION" ]; then echo "   cargo-mutants $CARGO_MUTANTS_VERSION present"; return; fi
  cargo install cargo-mutants --version "$CARGO_MUTANTS_VERSION" --locked
}

node_packages() {
  if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then echo "   node_modules up to date"; return; fi
  npm ci --no-audit --no-fund
}

step "rustup target wasm32-unknown-unknown" rust_target
step "rustup target wasm32v1-none (the VFT program of tests/vft)" gear_target
step "rustup nightly: wasm32 target and rust-src (size-optimised build)" nightly_parts
step "apt: $APT_PACKAGES" apt_packages
step "npm ci" node_packages
step "wasm-pack" wasm_pack
step "wasm-bindgen-cli (version from Cargo.lock)" wasm_bindgen_cli
step "geckodriver $GECKODRIVER_VERSION" geckodriver_bin
step "nightly and cargo-fuzz $CARGO_FUZZ_VERSION (fuzz targets)" cargo_fuzz
step "cargo-mutants $CARGO_MUTANTS_VERSION (mutation testing)" cargo_mutants
echo "== setup done in $((SECONDS - t0)) s"
