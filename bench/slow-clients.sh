#!/usr/bin/env bash
# Slow clients against the service as packaged, on the embedded default: CLIENTS connections each send the headers
# of an unauthenticated POST /v1/models with a 1 GiB Content-Length and then one body byte a second (a client the
# server drops reconnects on the next second), for SECONDS, while GET /actuator/health and GET /v1/jobs/{id} (with a
# key, on a finished job) are timed every 250 ms. Prints p50/max of both and how the slow connections fared.
# Usage: bench/slow-clients.sh [SECONDS] [CLIENTS]   (defaults: 60 s, 1000 clients)
# Loopback only. Needs target/shears.jar (built if missing) and a file-descriptor limit above CLIENTS for the client
# and again for the service (ulimit -n). The service runs in a temporary data directory, deleted afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
CLIENTS="${2:-1000}"
PORT="${SHEARS_BENCH_PORT:-18081}"
KEY="bench-admin-key-0123456789"
MODEL=src/test/resources/models/torchvision/resnet18-op17-bnkeep.onnx
OUT=target/bench/slow-clients
mkdir -p "$OUT"
limit=$(ulimit -n)
if [ "$limit" != unlimited ] && [ "$limit" -lt $((CLIENTS + 256)) ]; then
  echo "$CLIENTS slow clients need more than $((CLIENTS + 256)) file descriptors per process; ulimit -n is $limit" >&2
  exit 2
fi
[ -f target/shears.jar ] || ./mvnw -q -B -ntp package -DskipTests
source bench/packaged-service.sh
start_packaged_service "$PWD/target/shears.jar" "$PORT" "$KEY" "$PWD/$OUT/service.log"

# A finished job for the API probe: upload the model, prune it once, wait for the end.
auth=(-H "Authorization: Bearer $KEY")
first_id() { grep -o '"id" *: *"[^"]*"' | head -1 | cut -d'"' -f4; }
model=$(curl -sf "${auth[@]}" -H 'Content-Type: application/octet-stream' --data-binary "@$MODEL" \
    "127.0.0.1:$PORT/v1/models" | first_id)
job=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
    -d "{\"modelId\":\"$model\",\"budget\":{\"fraction\":0.9}}" "127.0.0.1:$PORT/v1/jobs" \
    | first_id)
for _ in $(seq 300); do
  curl -sf "${auth[@]}" "127.0.0.1:$PORT/v1/jobs/$job" | grep -Eq '"state" *: *"(SUCCEEDED|FAILED|CANCELLED)"' && break
  sleep 1
done

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
java src/test/java/io/shears/service/SlowBodyClients.java --port "$PORT" --key "$KEY" --job "$job" \
    --clients "$CLIENTS" --seconds "$SECONDS_TO_RUN" | tee "$OUT/result.txt"
