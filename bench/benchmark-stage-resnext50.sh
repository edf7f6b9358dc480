#!/bin/bash
# Two jobs on ResNeXt-50 32x4d (full size, bench/models/out/, from bench/models/bars.py export) pruned to 0.5 with the
# default benchmark section, through the packaged service and `shears submit`: prints each job's BENCHMARK stage time
# and its speed-ups per batch size, to check that the stage stays near its 20-s default and that the same bytes give
# the same speed-up across jobs. Needs target/shears.jar and jq; uses port 8399 and a temporary data directory.
set -eu
cd "$(dirname "$0")/.."
export SHEARS_API_KEY=shears-dev-key-0123456789
D=$(mktemp -d)
SHEARS_DATA_DIR=$D/data SERVER_PORT=8399 java -jar target/shears.jar > "$D/service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for i in $(seq 1 60); do curl -sf localhost:8399/actuator/health >/dev/null 2>&1 && break; sleep 2; done
for n in 1 2; do
  /usr/bin/time -f "job $n wall %e s" bin/shears submit --server http://localhost:8399 --key $SHEARS_API_KEY \
    bench/models/out/resnext50_32x4d-op17-bnfold.onnx --target-fraction 0.5 --wait --out $D/out$n > $D/submit$n.log 2>&1 || true
  tail -2 $D/submit$n.log
  jq -c '{benchmarkMillis: [.stages[] | select(.stage == "BENCHMARK") | .millis][0],
          speedUps: [.latency.batches[] | {batch, speedUp, stop, runs: .original.runs}]}' "$D/out$n/report.json"
done
echo "dir $D"
