#!/usr/bin/env bash
# Training throughput of full-size ResNet-18 (224x224, batch 16, CPU) in Shears' DJL interpreter, against PyTorch
# eager in the same run with the same thread count, and of the same model pruned to 0.5 of its MACs.
# Usage: bench/train-throughput-resnet18.sh [STEPS] [WARMUP]   (defaults 10 timed steps after 3 warm-up steps)
# Needs Debian's python3-torch, python3-torchvision and python3-onnx (for the export and the reference).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${1:-10}"
WARMUP="${2:-3}"
THREADS="$(nproc)"
MODEL=bench/models/out/resnet18-op17-bnkeep.onnx
OUT=target/bench/train-throughput-resnet18
mkdir -p "$OUT"
[ -f "$MODEL" ] || /usr/bin/python3 bench/models/export_torchvision.py --size full --arch resnet18 --opset 17 --bn keep
mvn -q -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt"
[ -f target/shears.jar ] || mvn -q -B -ntp package -DskipTests
CP="target/test-classes:target/classes:$(cat "$OUT/classpath.txt")"
java -jar target/shears.jar prune "$MODEL" -o "$OUT/pruned.onnx" --target-fraction 0.5 --report "$OUT/report.json"

run_java() {
  java -Dshears.djl.intraopThreads="$THREADS" -Dshears.djl.interopThreads=1 -cp "$CP" \
    io.shears.engine.TrainingThroughput "$1" 16 224 "$WARMUP" "$STEPS"
}
# the machine has as many cores as threads here: anything else running skews the ratio, so say what the load was
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $THREADS threads, batch 16, 224x224, $STEPS timed steps after $WARMUP warm-up"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pytorch-eager  $(/usr/bin/python3 bench/train_step_pytorch.py 16 224 "$WARMUP" "$STEPS" "$THREADS")"
echo "shears-dense   $(run_java "$MODEL")"
echo "shears-pruned  $(run_java "$OUT/pruned.onnx")"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
