#!/usr/bin/env bash
# Every test, on three levels: native Rust, wasm in Node and in headless Chromium, and the
# Node suites (JS shims, packed package, polkadot-js cross-checks, reference server, chain).
# Fails loudly when a level cannot run (a missing Chromium is an error, never a skip).
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

for bin in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$bin" ] || { echo "ERROR: $bin is missing (apt-get install chromium chromium-driver): browser tests cannot run" >&2; exit 1; }
done

step "cargo test (native)" cargo test --quiet
step "build dist/ (3 targets)" bash scripts/build.sh
step "wasm-bindgen-test in Node" wasm-pack --log-level warn test --mode no-install --node
# WASM_BINDGEN_USE_BROWSER makes the same tests run in the browser; webdriver.json holds the
# Chromium flags (root needs --no-sandbox) and the Debian binary path.
step "wasm-bindgen-test in headless Chromium" env WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json" \
  wasm-pack --log-level warn test --mode no-install --headless --chrome --chromedriver /usr/bin/chromedriver
step "next build (examples/nextjs)" bash scripts/build-example.sh
step "node --test" node --test --test-concurrency=1 tests/node/*.test.mjs
step "size report" node scripts/size-report.mjs
# Figures, not assertions: a failing benchmark is reported but does not fail the run.
step "benchmarks (bench/payload.mjs, bench/run.mjs)" bash -c 'node bench/payload.mjs && node bench/run.mjs || echo "BENCHMARK FAILED (figures missing; not a test failure)"' 

echo; echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "all test levels passed in $((SECONDS - t0)) s"
