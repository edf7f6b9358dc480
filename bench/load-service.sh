#!/usr/bin/env bash
# Load on the service as packaged, on the embedded default (H2 file database, API and one worker in one process):
# CLIENTS concurrent clients each submit a small job ({"budget":{"fraction":0.9}} on the ResNet-18 fixture) and poll
# GET /v1/jobs/{id} every POLL_MS until it ends, then submit the next, for SECONDS. Prints p50/p99 latency of
# POST /v1/jobs and GET /v1/jobs/{id} and the error count (any non-2xx answer).
# Usage: bench/load-service.sh [SECONDS] [CLIENTS] [POLL_MS]   (defaults: 60 s, 32 clients, 100 ms)
# Needs target/shears.jar (built if missing). The service runs in a temporary data directory, deleted afterwards.
# SHEARS_BENCH_JFR=1 records a JFR profile of the service to target/bench/load-service/service.jfr.
# The machine is shared, so the script also reports the CPU time other processes used during the run: the figures
# hold only when that is near zero.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
CLIENTS="${2:-32}"
POLL_MS="${3:-100}"
PORT="${SHEARS_BENCH_PORT:-18080}"
KEY="bench-admin-key-0123456789"
MODEL=src/test/resources/models/torchvision/resnet18-op17-bnkeep.onnx
OUT=target/bench/load-service
mkdir -p "$OUT"
[ -f target/shears.jar ] || mvn -q -B -ntp package -DskipTests
source bench/packaged-service.sh
JAVA_OPTS=()
[ "${SHEARS_BENCH_JFR:-0}" = 1 ] && JAVA_OPTS+=("-XX:StartFlightRecording=filename=$PWD/$OUT/service.jfr,settings=profile")
start_packaged_service "$PWD/target/shears.jar" "$PORT" "$KEY" "$PWD/$OUT/service.log" "${JAVA_OPTS[@]}"

# Busy CPU seconds: of the whole machine (/proc/stat) and of this process tree (the service and the client).
machine_busy() { awk '/^cpu / {print ($2 + $3 + $4 + $7 + $8) / 100}' /proc/stat; }
own_cpu() { awk '{print ($14 + $15 + $16 + $17) / 100}' "/proc/$SERVICE_PID/stat"; }
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(java -version 2>&1 | head -1)"
machine0=$(machine_busy); service0=$(own_cpu); start=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$OUT/client.cpu" java bench/LoadClient.java --base "http://localhost:$PORT" \
    --key "$KEY" --model-file "$MODEL" --clients "$CLIENTS" --seconds "$SECONDS_TO_RUN" --poll-ms "$POLL_MS" \
    --fraction 0.9 | tee "$OUT/result.txt"
machine1=$(machine_busy); service1=$(own_cpu); end=$(date +%s.%N)
read -r cu cs < "$OUT/client.cpu"
awk -v m0="$machine0" -v m1="$machine1" -v s0="$service0" -v s1="$service1" -v cu="$cu" -v cs="$cs" \
    -v t0="$start" -v t1="$end" -v n="$(nproc)" 'BEGIN {
  printf "cpu seconds over %.0f s on %d cores: service %.1f, client %.1f, other processes %.1f\n",
    t1 - t0, n, s1 - s0, cu + cs, (m1 - m0) - (s1 - s0) - (cu + cs) }' | tee -a "$OUT/result.txt"
