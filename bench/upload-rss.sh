#!/usr/bin/env bash
# Resident memory of the service as packaged while it analyses dataset uploads of large images: a 1 MB zip of 8 PNGs
# of 16384 x 6100 pixels (bench/BigImagesZip.java), uploaded SEQUENTIAL times one after another, then CONCURRENT
# times at once. Prints VmRSS and VmHWM (peak) of the service after start, after each sequential upload and after the
# concurrent burst, with the HTTP status of every upload.
# Usage: bench/upload-rss.sh [SEQUENTIAL] [CONCURRENT] [JAR]   (defaults: 3, 12, target/shears.jar)
# Needs the jar (built if missing). The service runs in a temporary data directory, deleted afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
SEQUENTIAL="${1:-3}"
CONCURRENT="${2:-12}"
JAR="${3:-target/shears.jar}"
PORT="${SHEARS_BENCH_PORT:-18093}"
KEY="bench-admin-key-0123456789"
OUT=target/bench/upload-rss
mkdir -p "$OUT"
[ -f "$JAR" ] || ./mvnw -q -B -ntp package -DskipTests
[ -f "$OUT/big8.zip" ] || java -Xmx1g bench/BigImagesZip.java "$OUT/big8.zip"
source bench/packaged-service.sh
start_packaged_service "$(realpath "$JAR")" "$PORT" "$KEY" "$PWD/$OUT/service.log"
rss() { grep -E 'VmRSS|VmHWM' "/proc/$SERVICE_PID/status" | tr -s ' \t' ' ' | tr '\n' ' '; }
upload() {
  curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/zip' \
    --data-binary "@$OUT/big8.zip" "http://127.0.0.1:$PORT/v1/datasets"
}
sleep 3
echo "after start: $(rss)"
for n in $(seq 1 "$SEQUENTIAL"); do
  start=$(date +%s%N)
  code=$(upload)
  echo "upload $n: HTTP $code in $(( ($(date +%s%N) - start) / 1000000 )) ms; $(rss)"
done
if [ "$CONCURRENT" -gt 0 ]; then
  start=$(date +%s%N)
  pids=()
  for n in $(seq 1 "$CONCURRENT"); do
    { upload; echo; } > "$DATA/code.$n" &
    pids+=($!)
  done
  wait "${pids[@]}"
  codes=$(cat "$DATA"/code.* | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
  echo "$CONCURRENT at once: HTTP$codes in $(( ($(date +%s%N) - start) / 1000000 )) ms; $(rss)"
fi
