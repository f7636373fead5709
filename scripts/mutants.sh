#!/usr/bin/env bash
# Mutation testing with cargo-mutants (from crates.io; bash scripts/setup.sh installs it): each
# mutant is one small deliberate bug (an operator swapped, a function body replaced by a
# default, a condition forced), built and tested on its own, and some test must fail on it.
#
#   bash scripts/mutants.sh                    the sr25519 signer (CI runs this, scripts/test-all.sh)
#   X402_MUTANTS_FULL=1 bash scripts/mutants.sh  all of src/signer/, src/hexutil.rs and the
#                                              signing-critical chain code (src/vara/extrinsic.rs,
#                                              era.rs, calls.rs, scale.rs, address.rs, hashing.rs)
#
# A mutant that no test catches fails the run, unless docs/mutants.md names it (as cargo-mutants
# names it, without a line number) with why it cannot matter. Mutants are tried in this tree
# (`--in-place`: the build reuses target/, as `cargo test` left it); cargo-mutants puts each file
# back after its mutant, so do not edit src/ while it runs. Results in target/mutants/<set>/.
# X402_MUTANTS_SETS picks sets by name ("keys chain"); X402_MUTANTS_ARGS adds cargo-mutants
# options (e.g. `--shard 1/2`, `-F sign_with`).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo-mutants >/dev/null || { echo "ERROR: cargo-mutants is missing (bash scripts/setup.sh installs it)" >&2; exit 1; }
read -r -a EXTRA <<<"${X402_MUTANTS_ARGS:-}"

# Each set: its files, the test targets that judge them, and a test name filter.
SIGNER_FILES=(src/signer/sr25519.rs src/signer/sr25519_sign.rs)
SIGNER_TESTS=(--lib) SIGNER_FILTER=signer::sr25519
KEY_FILES=(src/signer/bip39.rs src/signer/suri.rs src/signer/keypair.rs src/signer/mod.rs src/hexutil.rs)
KEY_TESTS=(--lib --test keys) KEY_FILTER=
CHAIN_FILES=(src/vara/extrinsic.rs src/vara/era.rs src/vara/calls.rs src/vara/scale.rs src/vara/address.rs src/vara/hashing.rs)
CHAIN_TESTS=(--lib --test payload --test fuzz_regressions) CHAIN_FILTER=

# cargo-nextest (on the machine image) stops a mutant's tests at the first failure; cargo test
# runs every test to its end, several times slower over a run.
if cargo nextest --version >/dev/null 2>&1; then
  TOOL=(--test-tool nextest)
  tests_args() { local filter=$1; shift; echo "$@" --max-fail=1:immediate ${filter:+"$filter"}; }
else
  echo "NOTE: cargo-nextest not found: cargo test runs the mutants' tests (slower)"
  TOOL=()
  tests_args() { local filter=$1; shift; echo "$@" ${filter:+-- "$filter"}; }
fi

t0=$SECONDS
failed=0
run_set() {
  local name=$1 filter=$2; shift 2
  local files=() tests=()
  while [ "$1" != -- ]; do files+=(-f "$1"); shift; done
  shift
  read -r -a tests <<<"$(tests_args "$filter" "$@")"
  local out=target/mutants/$name s=$SECONDS
  rm -rf "$out" && mkdir -p "$out"
  echo "== mutants: $name"
  # Exit status 2 means survivors: judged below against docs/mutants.md. Anything else
  # but 0 (the baseline failed, cargo-mutants broke) is an error.
  local rc=0
  # Test helpers are not mutated: cargo-mutants skips `#[cfg(test)]` modules, not those under
  # `#[cfg(all(test, …))]`.
  cargo mutants --in-place --line-col false --no-shuffle --colors never -o "$out" --exclude-re ' tests::' \
    ${TOOL[@]+"${TOOL[@]}"} "${files[@]}" ${EXTRA[@]+"${EXTRA[@]}"} -- "${tests[@]}" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ] && [ "$rc" -ne 3 ]; then
    echo "ERROR: cargo mutants exited $rc (see $out/mutants.out/debug.log)" >&2; failed=1; return
  fi
  local dir=$out/mutants.out
  local caught missed timeout unviable
  caught=$(wc -l <"$dir/caught.txt"); missed=$(wc -l <"$dir/missed.txt")
  timeout=$(wc -l <"$dir/timeout.txt"); unviable=$(wc -l <"$dir/unviable.txt")
  echo "   $name: $caught caught, $missed missed, $timeout timed out (caught), $unviable unviable, in $((SECONDS - s)) s"
  # A survivor is accepted only where docs/mutants.md names it, one per line in its list.
  local undocumented
  undocumented=$(sed -E 's/^([^:]+):[0-9]+:[0-9]+: /\1: /' "$dir/missed.txt" \
    | grep -Fxv -f <(sed -n 's/^- `\(.*\)`$/\1/p' docs/mutants.md) || true)
  if [ -n "$undocumented" ]; then
    echo "ERROR: mutants no test catches, not named in docs/mutants.md:" >&2
    sed 's/^/   /' <<<"$undocumented" >&2
    failed=1
  fi
}

sets=${X402_MUTANTS_SETS:-signer}
[ -z "${X402_MUTANTS_FULL:-}" ] || sets="signer keys chain"
for set in $sets; do
  case $set in
    signer) run_set signer "$SIGNER_FILTER" "${SIGNER_FILES[@]}" -- "${SIGNER_TESTS[@]}" ;;
    keys) run_set keys "$KEY_FILTER" "${KEY_FILES[@]}" -- "${KEY_TESTS[@]}" ;;
    chain) run_set chain "$CHAIN_FILTER" "${CHAIN_FILES[@]}" -- "${CHAIN_TESTS[@]}" ;;
    *) echo "ERROR: unknown set $set (signer, keys, chain)" >&2; exit 1 ;;
  esac
done
echo "== mutants done in $((SECONDS - t0)) s"
exit "$failed"
