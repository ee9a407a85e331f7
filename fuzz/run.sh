#!/usr/bin/env bash
# Runs befus's libFuzzer targets, each for a given number of seconds, and prints what they found.
#
#   fuzz/run.sh [-t SECONDS] [-p PARALLEL] [-b BUILD_DIR] [TARGET...]
#
#   -t SECONDS   time per target (default 60)
#   -p N         targets run N at a time (default 1; the CI machine has 2 cores)
#   -b DIR       the fuzz build (default build-fuzz); configured and built when missing:
#                  cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
#                        -DBEFUS_FUZZ=ON -DBEFUS_TESTS=OFF
#                fuzz/CMakeLists.txt instruments befus_lib with -fsanitize=fuzzer-no-link,address,undefined.
#   TARGET       taxonomy front_matter markdown html pdf text query jsonl csv (default: all)
#
# Corpora grow in fuzz/corpus-<target>/ (gitignored), seeded from tests/data, the repository's own
# taxonomy/ and corpus/, fuzz/seeds/<target>/ and the regression inputs. Findings (crash-*, leak-*,
# timeout-*, oom-*) land in fuzz/corpus-<target>-out/ with the log. A finding becomes a regression:
# minimise it (fuzz_<target> -minimize_crash=1 FILE), fix the bug, and copy the input to
# tests/data/fuzz-regressions/<target>/NN-what-broke.ext, where test_fuzz_replay replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=60
parallel=1
build=build-fuzz
while getopts "t:p:b:h" opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    p) parallel=$OPTARG ;;
    b) build=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
all=(taxonomy front_matter markdown html pdf text query jsonl csv)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DBEFUS_FUZZ=ON -DBEFUS_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null

# Seed files per target: name patterns searched in tests/data, taxonomy/ and corpus/.
patterns() {
  case $1 in
    taxonomy) echo '*.yaml' ;;
    front_matter) echo '*.md *.yaml' ;;
    markdown) echo '*.md' ;;
    html) echo '*.html *.htm' ;;
    pdf) echo '*.pdf' ;;
    text) echo '*.txt *.md' ;;
    query) echo '' ;;
    jsonl) echo '*.jsonl' ;;
    csv) echo '*.csv' ;;
  esac
}

seed() {
  local t=$1 dir=fuzz/corpus-$1-seeds
  rm -rf "$dir"
  mkdir -p "$dir"
  local p
  for p in $(patterns "$t"); do
    # Big generated hostile inputs never live in tests/data; anything over 1 MB is skipped anyway.
    find tests/data taxonomy corpus -type f -name "$p" -size -1024k -not -path '*/fuzz-regressions/*' \
      -exec sh -c 'for f; do cp "$f" "$0/$(printf %s "$f" | tr / _)"; done' "$dir" {} +
  done
  [ -d "fuzz/seeds/$t" ] && cp fuzz/seeds/"$t"/* "$dir"/ 2>/dev/null || true
  [ -d "tests/data/fuzz-regressions/$t" ] && cp tests/data/fuzz-regressions/"$t"/* "$dir"/ 2>/dev/null || true
}

run_one() {
  local t=$1
  local corpus=fuzz/corpus-$t out=fuzz/corpus-$t-out
  mkdir -p "$corpus" "$out"
  seed "$t"
  local dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  local log=$out/run-$(date +%Y%m%d-%H%M%S).log
  # Exit status is ignored here: findings are counted from the files libFuzzer leaves.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/fuzz/lsan.supp} \
    "$build/fuzz/fuzz_$t" "$corpus" "fuzz/corpus-$t-seeds" "${dict[@]}" \
      -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -print_final_stats=1 \
      -artifact_prefix="$out/" >"$log" 2>&1 || true
  local execs units findings
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  units=$(find "$corpus" -type f | wc -l)
  findings=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
  printf '%-13s %6ss %12s execs %7s corpus %3s findings  %s\n' "$t" "$seconds" "${execs:-?}" "$units" "$findings" "$log"
}

printf '%-13s %7s %12s       %7s        %3s\n' target time executions corpus findings
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
