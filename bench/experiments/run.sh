#!/bin/sh
# Compute-optimal transfer experiment, end to end (docs/experiments/compute-optimal-transfer.md):
# pretrain and export the source model and write the target datasets, build the jar, start Shears from it, run the
# grid through the API, stop the service, draw the plot.
#
#   bench/experiments/run.sh [driver options, e.g. --seeds 0 --max-cost-x 100]
#
# Everything heavy runs under nice -n 19 (a shared 2-core machine), with one compute thread per process by default
# (THREADS=2 for two): on a saturated machine, 2 threads under nice 19 ran a torch training step 14x slower than 1. Scratch: $SCRATCH (default
# /root/scratch-experiment). Rerunning resumes: the models are kept, and the driver skips recorded cells.
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SCRATCH=${SCRATCH:-/root/scratch-experiment}
PORT=${PORT:-8282}
KEY=${SHEARS_API_KEY:-experiment-key-0123456789}
mkdir -p "$SCRATCH/models" "$SCRATCH/run"

if [ ! -f "$SCRATCH/models/fmnist59-finetune.zip" ]; then
  REUSE=""
  [ -f "$SCRATCH/models/fmnist04-resnet.pt" ] && REUSE=--reuse
  nice -n 19 /usr/bin/python3 "$REPO/bench/experiments/pretrain_fmnist.py" --out "$SCRATCH/models" --threads ${THREADS:-1} $REUSE \
    2>&1 | tee "$SCRATCH/pretrain.log"
fi

if [ ! -f "$REPO/target/shears.jar" ]; then
  (cd "$REPO" && nice -n 19 ./mvnw -q -B -ntp package -DskipTests)
fi

STARTED=""
if ! curl -sf "http://localhost:$PORT/actuator/health" >/dev/null 2>&1; then
  # Two JobRunr workers: the service still fine-tunes one model at a time (one training slot per process), but the
  # other worker prunes, evaluates and benchmarks the next job meanwhile, and the 5 s poll gap disappears.
  # The settings go in as -D system properties, which also worked before ServeCommand passed --options through.
  (cd "$SCRATCH/run" && SHEARS_API_KEY=$KEY exec nice -n 19 java -Dserver.port=$PORT \
     -Dshears.jobs.latency-runs=3 -Dshears.jobs.latency-warmup=1 \
     -Djobrunr.background-job-server.worker-count=${WORKERS:-2} \
     -Dshears.engine.intraop-threads=${THREADS:-1} -Dshears.engine.interop-threads=1 \
     -jar "$REPO/target/shears.jar" >"$SCRATCH/run/service.log" 2>&1) &
  STARTED=$!
  echo "service starting (pid $STARTED), log $SCRATCH/run/service.log"
  i=0
  until curl -sf "http://localhost:$PORT/actuator/health/readiness" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 300 ] && { echo "service did not become ready" >&2; exit 1; }
    sleep 2
  done
fi

set +e
python3 "$REPO/bench/experiments/compute_optimal.py" --url "http://localhost:$PORT" --key "$KEY" \
  --models "$SCRATCH/models" --out "$SCRATCH/results.csv" "$@" 2>&1 | tee -a "$SCRATCH/driver.log"
RC=$?
set -e
python3 "$REPO/bench/experiments/plot_results.py" "$SCRATCH/results.csv" \
  --svg "$REPO/docs/experiments/compute-optimal-transfer.svg" --table "$SCRATCH/table.md" \
  --write-summary "$REPO/docs/experiments/compute-optimal-transfer-summary.csv" || true
if [ -n "$STARTED" ] && [ "${KEEP_SERVICE:-0}" != 1 ]; then
  kill "$STARTED" 2>/dev/null || true
fi
exit $RC
