#!/usr/bin/env bash
# Training throughput of full-size ResNet-18 (224x224, batch 16, CPU) in Shears' DJL interpreter, against PyTorch
# eager in the same run with the same thread count, and of the same model pruned to 0.5 of its MACs.
# Usage: bench/train-throughput-resnet18.sh [STEPS] [WARMUP] [ROUNDS]
#   defaults: 10 timed steps after 3 warm-up steps, in each of 5 rounds. A round runs the three processes one after the
#   other (PyTorch, Shears dense, Shears pruned), so slow spells of the machine hit all three; the summary is the median
#   over rounds of each process's median step, and the range of the per-round ratios.
# Needs Debian's python3-torch, python3-torchvision and python3-onnx (for the export and the reference).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${1:-10}"
WARMUP="${2:-3}"
ROUNDS="${3:-5}"
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
  java -Xss16m -Dshears.engine.intraop-threads="$THREADS" -Dshears.engine.interop-threads=1 -cp "$CP" \
    io.shears.engine.training.TrainingThroughput "$1" 16 224 "$WARMUP" "$STEPS" 2>>"$OUT/java.log" | grep '^images_per_second='
}
# the machine has as many cores as threads here: anything else running skews the ratio, so say what the load was
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $THREADS threads, batch 16, 224x224, $STEPS timed steps after $WARMUP warm-up, $ROUNDS rounds"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ROWS="$OUT/rounds.txt"   # the Java processes' logs go to $OUT/java.log
: > "$ROWS"
for round in $(seq 1 "$ROUNDS"); do
  echo "round=$round pytorch-eager $(/usr/bin/python3 bench/train_step_pytorch.py 16 224 "$WARMUP" "$STEPS" "$THREADS")" | tee -a "$ROWS"
  echo "round=$round shears-dense  $(run_java "$MODEL")" | tee -a "$ROWS"
  echo "round=$round shears-pruned $(run_java "$OUT/pruned.onnx")" | tee -a "$ROWS"
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$ROWS" <<'SUMMARY'
import re, statistics, sys
rate = {}
for line in open(sys.argv[1]):
    m = re.match(r"round=(\d+) (\S+)\s+images_per_second=([\d.]+)", line)
    if m:
        rate.setdefault(m.group(2), {})[int(m.group(1))] = float(m.group(3))
py, dense, pruned = rate["pytorch-eager"], rate["shears-dense"], rate["shears-pruned"]
rounds = sorted(set(py) & set(dense) & set(pruned))
med = {k: statistics.median(v[r] for r in rounds) for k, v in rate.items()}
for name in ("pytorch-eager", "shears-dense", "shears-pruned"):
    print(f"median {name:14s} {med[name]:.2f} img/s over {len(rounds)} rounds")
dp = [dense[r] / py[r] for r in rounds]
pd = [pruned[r] / dense[r] for r in rounds]
print(f"dense/pytorch  {med['shears-dense'] / med['pytorch-eager']:.2f}x (ratio of medians; per round {min(dp):.2f}-{max(dp):.2f}, median {statistics.median(dp):.2f}); bar >= 0.9")
print(f"pruned/dense   {med['shears-pruned'] / med['shears-dense']:.2f}x (ratio of medians; per round {min(pd):.2f}-{max(pd):.2f}, median {statistics.median(pd):.2f}); bar >= 1.6")
SUMMARY
