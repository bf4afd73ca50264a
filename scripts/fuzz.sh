#!/usr/bin/env bash
# `make fuzz`: builds the seed corpora (fuzz/corpus/<target>, from the project's zone files and
# inputs generated from them), then runs each cargo-fuzz target for FUZZ_SECONDS, one after the
# other (they share the machine). Fails if any target crashed; the crashing input is in
# fuzz/artifacts/<target>/ — copy it to fuzz/regressions/<target>/ with the fix, and
# `cargo test -p r53-fuzz` replays it on stable from then on.
set -uo pipefail
cd "$(dirname "$0")/.."

CARGO="${CARGO:-cargo}"
SECONDS_EACH="${FUZZ_SECONDS:-600}"
TOOLCHAIN="${FUZZ_TOOLCHAIN:-nightly}"
TARGETS="${FUZZ_TARGETS:-zonefile axfr tsig names dynamic_value rdata journal cutover_state state_upgrade domain_name functions release routing dnssec}"
# address (the default) also catches memory errors in C code (aws-lc); none runs about twice as fast.
SANITIZER="${FUZZ_SANITIZER:-address}"
# Extra libFuzzer flags, e.g. FUZZ_FLAGS="-max_len=65536 -jobs=2".
FLAGS="${FUZZ_FLAGS:-}"

command -v cargo-fuzz >/dev/null 2>&1 || "$CARGO" install cargo-fuzz --locked || exit 1
"$CARGO" run --locked -q -p r53-fuzz --bin r53-fuzz-seeds -- "$PWD" "$PWD/fuzz/corpus" || exit 1

failed=()
for t in $TARGETS; do
  dirs=("corpus/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("regressions/$t")
  echo "fuzz: $t for ${SECONDS_EACH}s"
  # shellcheck disable=SC2086 # FLAGS is a list of flags
  if ! (cd fuzz && "$CARGO" "+$TOOLCHAIN" fuzz run -s "$SANITIZER" "$t" "${dirs[@]}" -- \
      -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $FLAGS); then
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: no crash in: $TARGETS"
