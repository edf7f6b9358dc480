#!/usr/bin/env bash
# Shears against PyTorch eager on identical work, stage by stage: decoding the images, BatchNorm calibration, one
# fine-tuning epoch, a validation pass on a sample, the final evaluation (Shears validates and evaluates in ONNX
# Runtime, as a job on the CPU does); plus ONNX Runtime's own inference time per image (`shears latency`).
# Same model (built and seeded in PyTorch, exported to ONNX for Shears), same Fashion-MNIST images (an IDX zip both
# read), same batch size and thread count. Each round runs both sides, in alternating order (PyTorch first in odd
# rounds), once on the machine as it is ("idle") and once beside two busy single-threaded processes this script starts
# and stops itself ("busy", each bounded by `timeout`). Prints the medians over rounds, the Shears/PyTorch ratios and
# how much each side slows down beside the busy processes. The evaluation's bar compares it with ONNX Runtime's own
# time per image on the same bytes, measured in Shears' process just before and just after the evaluation (`shears
# latency`'s measurement, as many timed runs as the evaluation has batches); `shears latency` on the original model, in
# a process of its own as before, is printed beside it.
#
#   bench/stages-vs-pytorch.sh [fmnist|resnet18|both]          (default both)
#
# Environment (defaults in brackets):
#   ROUNDS [5 for fmnist, 3 for resnet18]  THREADS [the CPU quota, else nproc]  PHASES ["idle busy"]
#   BUSY_SECONDS [900]
#   fmnist:   TRAIN [1000] VAL [5000] BATCH [64] VALIDATION_SAMPLES [1000]
#   resnet18: TRAIN [256]  VAL [256]  BATCH [32] VALIDATION_SAMPLES [128]
#   CALIBRATION_BATCHES [100, a job's default; both sides stop at the end of the train split, as a job does]
#   TRAIN and VAL take the first images of each split; both need every class (24 or more do).
#   SHEARS_ENV ["GOMP_SPINCOUNT=<...> GLIBC_TUNABLES=<...>", the values bin/shears sets]
#   PYTORCH_ENV [empty: OpenMP's and glibc's defaults]
#   SHEARS_JAVA_OPTS [the JVM options bin/shears gives the service: -XX:TieredStopAtLevel=1]
#   WARMUP [1]: untimed rounds of every stage in each process before the timed one, as in a service (or a trainer)
#   that has run before: the JVM's compiler and both sides' kernel caches are warm.
#   Shears' side first runs the engine warm-up a service runs before it reports ready (shears.engine.warm-up-rounds,
#   the service's default; SHEARS_JAVA_OPTS='-XX:TieredStopAtLevel=1 -Dshears.engine.warm-up-rounds=0' leaves it out).
# A tiny run that checks the script works (a couple of minutes):
#   ROUNDS=1 TRAIN=64 VAL=64 VALIDATION_SAMPLES=32 CALIBRATION_BATCHES=2 BATCH=32 bench/stages-vs-pytorch.sh fmnist
# Needs Debian's python3-torch (1.13), python3-torchvision, python3-onnx and dataset-fashion-mnist (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
WHICH="${1:-both}"
PHASES="${PHASES:-idle busy}"
BUSY_SECONDS="${BUSY_SECONDS:-900}"
OUT=target/bench/stages-vs-pytorch
mkdir -p "$OUT"
# Each side runs in the environment its users give it: Shears in the one bin/shears sets (SHEARS_ENV, its values read
# from bin/shears), PyTorch in none of its own (PYTORCH_ENV, empty: OpenMP's and glibc's defaults). Either can be set
# to compare like with like.
launcher_default() { sed -n "s/^$1=\${$1:-\(.*\)}\$/\1/p" bin/shears; }
SHEARS_ENV="${SHEARS_ENV-GOMP_SPINCOUNT=$(launcher_default GOMP_SPINCOUNT) GLIBC_TUNABLES=$(launcher_default GLIBC_TUNABLES)}"
# SHEARS_JAVA_OPTS: JVM options for Shears' side; by default the ones bin/shears gives the service (C1 alone)
SHEARS_JAVA_OPTS="${SHEARS_JAVA_OPTS-$(launcher_default SHEARS_SERVE_JAVA_OPTS)}"
PYTORCH_ENV="${PYTORCH_ENV:-}"
WARMUP="${WARMUP:-1}"
# what the caller gave, kept apart from the per-model values set below (which would otherwise carry over to the next)
GIVEN_TRAIN="${TRAIN:-}" GIVEN_VAL="${VAL:-}" GIVEN_BATCH="${BATCH:-}" GIVEN_ROUNDS="${ROUNDS:-}"
GIVEN_VALIDATION_SAMPLES="${VALIDATION_SAMPLES:-}" GIVEN_CALIBRATION_BATCHES="${CALIBRATION_BATCHES:-}"
unset OMP_WAIT_POLICY KMP_BLOCKTIME GOMP_SPINCOUNT GLIBC_TUNABLES

./mvnw -q -B -ntp -o test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
CP="target/test-classes:target/classes:$(cat "$OUT/classpath.txt")"
if [ -z "${THREADS:-}" ]; then
  # the same count a job would take: the cgroup's CPU quota rounded up, at most the processors
  THREADS=$(java -cp "$CP" io.shears.engine.StageTimings --threads 2>/dev/null || nproc)
fi

BUSY=()
stop_busy() {
  for pid in "${BUSY[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  BUSY=()
}
trap stop_busy EXIT

# one side, one round: appends "phase=P round=R side=S stage=NAME seconds=X images=N" lines to $ROWS
run_pytorch() {
  env $PYTORCH_ENV /usr/bin/python3 bench/stages_pytorch.py run --dir "$DIR" --batch "$BATCH" --threads "$THREADS" \
    --calibration-batches "$CALIBRATION_BATCHES" --validation-samples "$VALIDATION_SAMPLES" --warmup "$WARMUP" \
    2>>"$OUT/pytorch.log" \
    | tee -a "$OUT/pytorch.log" | grep '^stage=' | sed "s/^/phase=$1 round=$2 side=pytorch /" >> "$ROWS" \
    || { echo "error: the PyTorch side failed; see $OUT/pytorch.log" >&2; exit 1; }
}
run_shears() {
  rm -rf "$DIR/work"
  env $SHEARS_ENV java $SHEARS_JAVA_OPTS -Xss16m -Dshears.engine.intraop-threads="$THREADS" -Dshears.engine.interop-threads=1 \
    -cp "$CP" io.shears.engine.StageTimings "$DIR/model.onnx" "$DIR/data.zip" "$DIR/work" "$BATCH" \
    "$CALIBRATION_BATCHES" "$VALIDATION_SAMPLES" "$SIDE" "$CHANNELS" 0.2860 0.3530 "$WARMUP" 2>>"$OUT/shears.log" \
    | tee -a "$OUT/shears.log" | grep '^stage=' | sed "s/^/phase=$1 round=$2 side=shears /" >> "$ROWS" \
    || { echo "error: the Shears side failed; see $OUT/shears.log" >&2; exit 1; }
}
run_ort() {
  env $SHEARS_ENV java $SHEARS_JAVA_OPTS -Xss16m -cp "$CP" io.shears.cli.ShearsCli latency "$DIR/model.onnx" --batch "$BATCH" --threads "$THREADS" \
    --runs 10 --warmup 2 2>>"$OUT/ort.log" \
    | /usr/bin/python3 -c "import json,sys; m=json.load(sys.stdin)[0]; print(f\"stage=evaluation seconds={m['medianMs']/1000:.6f} images={m['batch']}\")" \
    | sed "s/^/phase=$1 round=$2 side=ort /" >> "$ROWS" \
    || { echo "error: shears latency failed; see $OUT/ort.log" >&2; exit 1; }
}

bench_model() {
  MODEL=$1
  if [ "$MODEL" = fmnist ]; then
    TRAIN="${TRAIN_FMNIST:-${GIVEN_TRAIN:-1000}}"; VAL="${VAL_FMNIST:-${GIVEN_VAL:-5000}}"
    BATCH="${BATCH_FMNIST:-${GIVEN_BATCH:-64}}"
    VALIDATION_SAMPLES="${GIVEN_VALIDATION_SAMPLES:-1000}"; ROUNDS="${GIVEN_ROUNDS:-5}"
  else
    TRAIN="${TRAIN_RESNET18:-${GIVEN_TRAIN:-256}}"; VAL="${VAL_RESNET18:-${GIVEN_VAL:-256}}"
    BATCH="${BATCH_RESNET18:-${GIVEN_BATCH:-32}}"
    VALIDATION_SAMPLES="${GIVEN_VALIDATION_SAMPLES:-128}"; ROUNDS="${GIVEN_ROUNDS:-3}"
  fi
  CALIBRATION_BATCHES="${GIVEN_CALIBRATION_BATCHES:-100}"
  DIR="$OUT/$MODEL-$TRAIN-$VAL"
  [ -f "$DIR/data.zip" ] || /usr/bin/python3 bench/stages_pytorch.py prepare --model "$MODEL" --out "$DIR" \
    --train "$TRAIN" --val "$VAL"
  read -r SIDE CHANNELS < "$DIR/shape"
  ROWS="$DIR/rows.txt"
  : > "$ROWS"
  echo "# $MODEL: $(date -u +%Y-%m-%dT%H:%MZ), $THREADS threads, batch $BATCH, train $TRAIN, val $VAL," \
    "validation sample $VALIDATION_SAMPLES, calibration $CALIBRATION_BATCHES batches, $ROUNDS rounds," \
    "$WARMUP warm-up round(s) in each process, Shears' environment '$SHEARS_ENV' and JVM options '$SHEARS_JAVA_OPTS', PyTorch's environment '$PYTORCH_ENV'"
  for phase in $PHASES; do
    if [ "$phase" = busy ]; then
      for _ in 1 2; do
        timeout "$BUSY_SECONDS" sh -c 'while :; do :; done' &
        BUSY+=($!)
      done
    fi
    echo "# $phase: load average before $(cut -d' ' -f1-3 /proc/loadavg)"
    for round in $(seq 1 "$ROUNDS"); do
      if [ $((round % 2)) -eq 1 ]; then
        run_pytorch "$phase" "$round"; run_shears "$phase" "$round"
      else
        run_shears "$phase" "$round"; run_pytorch "$phase" "$round"
      fi
      run_ort "$phase" "$round"
    done
    echo "# $phase: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
    stop_busy
  done
  /usr/bin/python3 - "$ROWS" "$MODEL" <<'SUMMARY'
import re, statistics, sys
rows, model = sys.argv[1], sys.argv[2]
seconds, images = {}, {}
for line in open(rows):
    m = re.match(r"phase=(\S+) round=(\d+) side=(\S+) stage=(\S+) seconds=([\d.]+) images=(\d+)", line)
    if m:
        key = (m.group(1), m.group(3), m.group(4))
        seconds.setdefault(key, []).append(float(m.group(5)))
        images[key] = int(m.group(6))
med = {k: statistics.median(v) for k, v in seconds.items()}
phases = sorted({k[0] for k in med}, key=lambda p: p != "idle")
stages = ["prepare", "calibration", "train-epoch", "validation", "evaluation"]
for phase in phases:
    print(f"{model} {phase}: median seconds over {len(seconds.get((phase, 'shears', 'evaluation'), []))} rounds")
    for s in stages:
        sh, py = med.get((phase, "shears", s)), med.get((phase, "pytorch", s))
        if sh is not None and py is not None:
            print(f"  {s:12s} shears {sh:9.3f}  pytorch {py:9.3f}  ratio {sh / py:5.2f}x")
    sh = [med.get((phase, "shears", s)) for s in ("train-epoch", "validation")]
    py = [med.get((phase, "pytorch", s)) for s in ("train-epoch", "validation")]
    if None not in sh + py:
        bar = 1.2 if model == "fmnist" else 1.1
        print(f"  FINETUNE (epoch + validation) ratio {sum(sh) / sum(py):.2f}x (bar <= {bar})")
    ev, ref, ort = (phase, "shears", "evaluation"), (phase, "shears", "ort-evaluation"), (phase, "ort", "evaluation")
    ms_per_image = lambda key: med[key] / images[key] * 1000
    if ev in med and ref in med:
        # each round's evaluation against the reference timed around it in the same process, then the median
        ratios = [(e / images[ev]) / (r / images[ref]) for e, r in zip(seconds[ev], seconds[ref])]
        print(f"  evaluation per image: shears {ms_per_image(ev):.3f} ms, onnx runtime on the same bytes "
              f"in the same process {ms_per_image(ref):.3f} ms, ratio {statistics.median(ratios):.2f}x "
              f"(median of the rounds' {', '.join(f'{r:.2f}' for r in ratios)}; bar <= 1.1)")
    if ev in med and ort in med:
        print(f"  `shears latency` on the original model in a process of its own: "
              f"{ms_per_image(ort):.3f} ms per image, ratio {ms_per_image(ev) / ms_per_image(ort):.2f}x")
if "idle" in phases and "busy" in phases:
    print(f"{model} slowdown beside two busy processes (busy / idle median):")
    for s in stages:
        try:
            sh = med[("busy", "shears", s)] / med[("idle", "shears", s)]
            py = med[("busy", "pytorch", s)] / med[("idle", "pytorch", s)]
        except KeyError:
            continue
        print(f"  {s:12s} shears {sh:5.2f}x  pytorch {py:5.2f}x  shears/pytorch {sh / py:4.2f} (bar <= 1.5)")
SUMMARY
}

case "$WHICH" in
  fmnist|resnet18) bench_model "$WHICH" ;;
  both) bench_model fmnist; bench_model resnet18 ;;
  *) echo "usage: $0 [fmnist|resnet18|both]" >&2; exit 2 ;;
esac
