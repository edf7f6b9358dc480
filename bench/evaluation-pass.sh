#!/usr/bin/env bash
# The evaluation pass of the stage benchmark (bench/stages-vs-pytorch.sh) against ONNX Runtime's own time per image,
# in one process, interleaved round by round (io.shears.engine.EvaluationPassTimings): the pass as the EVALUATE stage
# runs it, the reference as `shears latency` measures it, two parts of the pass (opening the session, writing the
# batches into ONNX Runtime's input buffer), and the pass with every batch copied through a float array. Uses the
# images and model the stage benchmark prepared (or runs its prepare step), in the environment and JVM options
# bin/shears gives the service.
#
#   bench/evaluation-pass.sh [fmnist|resnet18]      # ROUNDS=15 by default; THREADS from the CPU quota
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-fmnist}"
ROUNDS="${ROUNDS:-15}"
OUT=target/bench/stages-vs-pytorch
launcher_default() { sed -n "s/^$1=\${$1:-\(.*\)}\$/\1/p" bin/shears; }
SHEARS_ENV="${SHEARS_ENV-GOMP_SPINCOUNT=$(launcher_default GOMP_SPINCOUNT) GLIBC_TUNABLES=$(launcher_default GLIBC_TUNABLES)}"
SHEARS_JAVA_OPTS="${SHEARS_JAVA_OPTS-$(launcher_default SHEARS_SERVE_JAVA_OPTS)}"
if [ "$MODEL" = fmnist ]; then
  DIR="$OUT/fmnist-1000-5000"; BATCH="${BATCH:-64}"; TRAIN=1000; VAL=5000
else
  DIR="$OUT/resnet18-256-256"; BATCH="${BATCH:-32}"; TRAIN=256; VAL=256
fi
mkdir -p "$OUT"
[ -f "$DIR/data.zip" ] || /usr/bin/python3 bench/stages_pytorch.py prepare --model "$MODEL" --out "$DIR" \
  --train "$TRAIN" --val "$VAL"
read -r SIDE CHANNELS < "$DIR/shape"
./mvnw -q -B -ntp -o test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
CP="target/test-classes:target/classes:$(cat "$OUT/classpath.txt")"
THREADS="${THREADS:-$(java -cp "$CP" io.shears.engine.StageTimings --threads 2>/dev/null || nproc)}"
WORK=$(mktemp -d "$OUT/evaluation-pass.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "# $MODEL: $(date -u +%Y-%m-%dT%H:%MZ), $THREADS threads, batch $BATCH, $ROUNDS rounds, environment '$SHEARS_ENV'," \
  "JVM options '$SHEARS_JAVA_OPTS'"
env $SHEARS_ENV java $SHEARS_JAVA_OPTS -Xss16m -Dshears.engine.intraop-threads="$THREADS" \
  -Dshears.engine.interop-threads=1 -cp "$CP" io.shears.engine.EvaluationPassTimings "$DIR/model.onnx" \
  "$DIR/data.zip" "$WORK" "$BATCH" "$SIDE" "$CHANNELS" 0.2860 0.3530 "$ROUNDS" 2>>"$OUT/evaluation-pass.log" \
  | grep -E '^(round=|median )'
