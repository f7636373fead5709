#!/usr/bin/env bash
# Fuzzes every parser of outside data (fuzz/fuzz_targets/): `scripts/fuzz.sh 600` builds once,
# then runs each target for an equal share of 600 seconds, one after the other (one core).
# Corpora start from fuzz/seeds/<target>/ and the metadata fixtures, and grow in fuzz/corpus/.
# A crash, timeout (5 s) or out-of-memory (2 GB) input is copied to
# tests/fuzz-regressions/<target>/, which `cargo test` replays; the script then exits 1.
# Needs nightly and cargo-fuzz (bash scripts/setup.sh installs both).
# X402_FUZZ_BUILD adds cargo-fuzz build flags (`-s none`, `--dev`; an unoptimised build runs
# 10 to 100 times fewer inputs, so the smoke does not use it).
set -euo pipefail
cd "$(dirname "$0")/.."

total=${1:-600}
FUZZ=(cargo +nightly fuzz)
read -r -a FLAGS <<<"${X402_FUZZ_BUILD:-}"

t0=$SECONDS
echo "== cargo fuzz build"
"${FUZZ[@]}" build ${FLAGS[@]+"${FLAGS[@]}"}
build_s=$((SECONDS - t0))

mapfile -t targets < <("${FUZZ[@]}" list)
per=$((total / ${#targets[@]}))
[ "$per" -ge 1 ] || per=1
echo "== ${#targets[@]} targets, $per s each"

rows=()
found=0
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t
  artifacts=fuzz/artifacts/$t
  mkdir -p "$corpus"
  rm -rf "$artifacts" && mkdir -p "$artifacts"
  if [ -d "fuzz/seeds/$t" ]; then cp -n fuzz/seeds/"$t"/. "$corpus"/ -r; fi
  if [ "$t" = metadata ]; then
    cp -n tests/fixtures/*.metadata.scale "$corpus"/
    for f in ../shared/fixtures/*.metadata.scale; do [ -f "$f" ] && cp -n "$f" "$corpus"/; done
  fi
  log=fuzz/artifacts/$t.log
  echo "== $t ($per s)"
  # libFuzzer stops at the first finding; its exit status is judged by the artifacts below.
  "${FUZZ[@]}" run ${FLAGS[@]+"${FLAGS[@]}"} "$t" "$corpus" -- -max_total_time="$per" -timeout=5 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1 || true
  new=0
  for a in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
    [ -f "$a" ] || continue
    mkdir -p "tests/fuzz-regressions/$t"
    cp "$a" "tests/fuzz-regressions/$t/"
    echo "   FINDING: tests/fuzz-regressions/$t/$(basename "$a")"
    new=$((new + 1))
  done
  if [ "$new" -gt 0 ]; then grep -m1 -A12 "panicked\|ERROR: libFuzzer\|==ERROR" "$log" | sed 's/^/   | /' || true; fi
  found=$((found + new))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  rows+=("$(printf '%-22s %12s %9s %7s %7s %8s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$new")")
done

echo
printf '%-22s %12s %9s %7s %7s %8s\n' target execs execs/s cov ft findings
printf '%s\n' "${rows[@]}"
echo "build ${build_s} s, all in $((SECONDS - t0)) s; logs in fuzz/artifacts/<target>.log"
if [ "$found" -gt 0 ]; then
  echo "$found finding(s) saved under tests/fuzz-regressions/: fix them, then cargo test replays them" >&2
  exit 1
fi
