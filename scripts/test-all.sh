#!/usr/bin/env bash
# Every test, on three levels: native Rust (and a fuzz smoke), wasm in Node and in headless
# Chromium, Firefox and WebKitGTK, and the Node suites (JS shims, packed package, bundlers,
# polkadot-js cross-checks, reference server, chain, the examples clicked in real browsers).
# Fails loudly when a level cannot run (a missing browser or driver is an error, never a skip).
# X402_WASM_SKIP="name …" leaves named wasm tests out (e.g. one waiting for a core change);
# X402_SKIP_VFT_GTEST=1 leaves out the gtest suite of tests/vft (its cold build is the longest
# step); the run says so.
set -euo pipefail
cd "$(dirname "$0")/.."

t0=$SECONDS
summary=()
step() {
  local name=$1 s=$SECONDS; shift
  echo; echo "=== $name"
  "$@"
  summary+=("$(printf '%-40s %4d s' "$name" $((SECONDS - s)))")
}

for bin in /usr/bin/chromium /usr/bin/chromedriver /usr/bin/firefox-esr /usr/bin/WebKitWebDriver /usr/bin/xvfb-run "$(command -v geckodriver || echo geckodriver)"; do
  [ -x "$bin" ] || { echo "ERROR: $bin is missing (bash scripts/setup.sh installs it): browser tests cannot run" >&2; exit 1; }
done

skip=()
for name in ${X402_WASM_SKIP:-}; do skip+=(--skip "$name"); echo "NOTE: wasm test $name left out (X402_WASM_SKIP)"; done
WASM_TEST=(wasm-pack --log-level warn test --mode no-install)
# WASM_BINDGEN_USE_BROWSER makes the same tests run in the browser; webdriver.json holds the
# Chromium flags (root needs --no-sandbox) and the Debian binary path (Firefox ignores them).
IN_BROWSER=(env WASM_BINDGEN_USE_BROWSER=1 WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json")
wasm_test() { if [ ${#skip[@]} -gt 0 ]; then "$@" -- -- "${skip[@]}"; else "$@"; fi; }

step "cargo test (native)" cargo test --quiet
# Mutation testing of the sr25519 signer (scripts/mutants.sh; X402_MUTANTS_FULL=1 adds the rest
# of the key and the signing-critical chain code, the long run: figures in docs/mutants.md).
step "mutants: the sr25519 signer (scripts/mutants.sh)" bash scripts/mutants.sh
# Token payments as this client signs them, run by real VFT programs in gtest: awesome-sails
# 0.3 on sails-rs 1.0 (tests/vft) and 0.2 on sails-rs 0.10 (tests/vft/named, built first into
# the same target directory). Their own lockfiles. Cold, they compile Gear's tree: 843 s of
# CPU, 10.7 min on 2 cores shared with other work (measured 2026-12-02); no incremental state,
# which a clean clone would never reuse. The tests themselves take 15 to 80 s.
vft_gtest() (
  export CARGO_INCREMENTAL=0
  cargo build --quiet --manifest-path tests/vft/named/Cargo.toml --target-dir tests/vft/target
  cargo test --quiet --manifest-path tests/vft/Cargo.toml
)
if [ -n "${X402_SKIP_VFT_GTEST:-}" ]; then
  echo "NOTE: the gtest suite of tests/vft is left out (X402_SKIP_VFT_GTEST)"
else
  step "gtest: VFT programs run our payments" vft_gtest
fi
# A short run of every fuzz target (3 s each by default; scripts/fuzz.sh 600 is the long run).
step "fuzz smoke (scripts/fuzz.sh)" bash scripts/fuzz.sh "${X402_FUZZ_SMOKE_SECONDS:-33}"
step "build dist/ (one wasm, embedded)" bash scripts/build.sh
step "wasm-bindgen-test in Node" wasm_test "${WASM_TEST[@]}" --node
step "wasm-bindgen-test in headless Chromium" wasm_test "${IN_BROWSER[@]}" "${WASM_TEST[@]}" --headless --chrome --chromedriver /usr/bin/chromedriver
step "wasm-bindgen-test in headless Firefox" wasm_test "${IN_BROWSER[@]}" "${WASM_TEST[@]}" --headless --firefox --geckodriver "$(command -v geckodriver)"
# WebKitGTK's MiniBrowser has no headless mode: it runs on a virtual X display.
# Debian's WebKitGTK 2.50.6 (JavaScriptCore) now and then miscomputes curve25519-dalek's u32
# field arithmetic in this debug build: a wrong //Alice address, signatures that do not
# verify, debug overflow panics (measured 2026-12-02: 1 run of 4 at 8d20d75, the last commit
# whose CI passed, and 2 of 4 at cf7de6c; Chromium and Firefox passed every run). The
# signer's own check turns it into a typed error, never a payment. An engine fault, not
# ours: a failed run is reported and tried again, up to twice; three failures fail the step.
webkit_test() {
  local attempt
  for attempt in 1 2 3; do
    if wasm_test "$@"; then return 0; fi
    [ "$attempt" -lt 3 ] && echo "NOTE: WebKitGTK run $attempt failed (see above); running it again"
  done
  return 1
}
step "wasm-bindgen-test in WebKitGTK (Xvfb)" webkit_test xvfb-run -a "${IN_BROWSER[@]}" "${WASM_TEST[@]}" --headless --safari --safaridriver /usr/bin/WebKitWebDriver
step "build the examples (next build, vite build)" bash scripts/build-example.sh
# Strict: a rejection nobody handled, or an exception nobody caught, fails the suite's file
# (tests/support/strict.mjs), even outside a test or after it ended.
step "node --test" node --unhandled-rejections=strict --import ./tests/support/strict.mjs --test --test-concurrency=1 tests/node/*.test.mjs
step "size report" node scripts/size-report.mjs
# Figures, not assertions: a failing benchmark is reported but does not fail the run. The
# CI sizes keep this step near 4 minutes on 2 cores: 15 warm payments in bench/run.mjs unless
# BENCH_PAYMENTS or BENCH_FULL=1 (the larger runs) says otherwise.
benchmarks() {
  [ -n "${BENCH_FULL:-}" ] || local BENCH_PAYMENTS=${BENCH_PAYMENTS:-15}
  export BENCH_PAYMENTS
  for b in payload run volume ledger wallets; do
    node "bench/$b.mjs" || echo "BENCHMARK FAILED: bench/$b.mjs (figures missing; not a test failure)"
  done
}
step "benchmarks (bench/payload.mjs, run.mjs, volume.mjs, ledger.mjs, wallets.mjs)" benchmarks

echo; echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "all test levels passed in $((SECONDS - t0)) s"
