#!/usr/bin/env bash
# Fuzzes the model upload path and the dataset upload path with Jazzer, each for a fixed number of executions, one
# Maven test run per target (Jazzer fuzzes one test per JVM). A finding is written into the target's committed
# corpus (src/test/resources/<package>/<Test>Inputs/<method>/crash-<sha1>) and fuzzing goes on past it; every input
# that adds coverage goes to .cifuzz-corpus/ (not committed). Prints per target: executions, findings, seconds spent
# fuzzing (libFuzzer's count) and in all (Maven, start-up and the regression run included), executions per second;
# exits 1 if there was any finding.
# Usage: bench/fuzz.sh [EXECUTIONS]   (default 10000 per target; FUZZ_TARGETS="Class#method ..." picks targets,
#        FUZZ_MAX_DURATION (default 2h) caps each run's wall time, FUZZ_RSS_LIMIT_MB (default 3072) the process's
#        RSS; the test JVM runs with surefire's -Xmx2g, one input may take 10 s)
set -euo pipefail
cd "$(dirname "$0")/.."
EXECUTIONS="${1:-10000}"
TARGETS="${FUZZ_TARGETS:-ModelUploadFuzzTest#modelUpload ModelUploadFuzzTest#modelStructure DatasetUploadFuzzTest#datasetUpload DatasetUploadFuzzTest#datasetEntries}"
OUT=target/bench/fuzz
mkdir -p "$OUT"
./mvnw -q -B -ntp -o test-compile
status=0
printf '%-40s %11s %9s %13s %13s %8s\n' target executions findings 'fuzz seconds' 'wall seconds' 'execs/s'
for target in $TARGETS; do
  log="$OUT/${target//#/-}.log"
  start=$(date +%s)
  JAZZER_FUZZ=1 JAZZER_MAX_EXECUTIONS="$EXECUTIONS" JAZZER_MAX_DURATION="${FUZZ_MAX_DURATION:-2h}" \
    JAZZER_KEEP_GOING=1000 ./mvnw -B -ntp -o surefire:test -Dtest="$target" -Dshears.test.excludedGroups=none \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-timeout=10 \
    -Djazzer.internal.arg.2=-rss_limit_mb="${FUZZ_RSS_LIMIT_MB:-3072}" > "$log" 2>&1 || true
  seconds=$(( $(date +%s) - start ))
  # libFuzzer's last status line ("#N DONE ..." or "Done N runs") counts the executions it made
  runs=$(grep -oE '^(#[0-9]+|Done [0-9]+ runs)' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  fuzz_seconds=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | grep -oE '[0-9]+ second' \
    | grep -oE '[0-9]+' || echo 0)
  findings=$(grep -c '^== Java Exception:\|ERROR: libFuzzer:' "$log" || true)
  printf '%-40s %11s %9s %13s %13s %8s\n' "$target" "$runs" "$findings" "$fuzz_seconds" "$seconds" \
    "$(awk -v r="$runs" -v s="$fuzz_seconds" 'BEGIN { printf "%.1f", (s > 0 ? r / s : 0) }')"
  if [ "$findings" -gt 0 ] || ! grep -q 'BUILD SUCCESS' "$log"; then
    status=1
    echo "  see $log" >&2
  fi
done
exit $status
