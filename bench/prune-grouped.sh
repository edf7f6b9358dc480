#!/bin/sh
# Grouped convolutions at 0.5: `shears prune --target-fraction 0.5` with the default options on the full-size
# torchvision resnext50_32x4d and regnet_y_400mf (random weights, opset 17, BN folded), then per model
#   - the MACs of the original and the pruned file counted by bench/models/count_macs.py (ONNX's shape inference
#     and per-node formulas, not Shears' cost model), and their ratio, which must lie in [0.49, 0.50];
#   - the pruned model's output shape at batch 1 and 2 (ONNX shape inference) against the original's;
#   - `shears latency --batch 1,2`: the pruned model runs in ONNX Runtime at both batch sizes;
#   - a second prune, which must write the same bytes.
#
# usage: bench/prune-grouped.sh        (env: BENCH_OUT, JAVA, ARGS: extra `shears prune` options)
#
# Builds nothing unless something is missing: the jar (mvn package), the models (bench/models/export_torchvision.py
# --family grouped; needs Debian python3-torch python3-torchvision python3-onnx).
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/.." && pwd -P)
cd "$repo"

java=${JAVA:-java}
out=${BENCH_OUT:-$repo/target/bench/prune-grouped}
jar=$repo/target/shears.jar
mkdir -p "$out"

if [ ! -f "$jar" ]; then
    echo "# $jar missing: mvn -q -B package -DskipTests" >&2
    mvn -q -B package -DskipTests
fi

status=0
for arch in resnext regnet; do
    model=$repo/bench/models/out/$arch-op17-bnfold.onnx
    if [ ! -f "$model" ]; then
        /usr/bin/python3 bench/models/export_torchvision.py --size full --family grouped --arch "$arch" --opset 17 \
            --bn fold >&2
    fi
    # shellcheck disable=SC2086 # ARGS is a list of options
    "$java" -jar "$jar" prune "$model" -o "$out/$arch-0.5.onnx" --target-fraction 0.5 ${ARGS:-}
    # shellcheck disable=SC2086
    "$java" -jar "$jar" prune "$model" -o "$out/$arch-0.5-again.onnx" --target-fraction 0.5 ${ARGS:-} >/dev/null
    if cmp -s "$out/$arch-0.5.onnx" "$out/$arch-0.5-again.onnx"; then same=yes; else same=no; status=1; fi
    original=$(/usr/bin/python3 bench/models/count_macs.py "$model")
    pruned1=$(/usr/bin/python3 bench/models/count_macs.py "$out/$arch-0.5.onnx")
    pruned2=$(/usr/bin/python3 bench/models/count_macs.py "$out/$arch-0.5.onnx" --batch 2)
    original2=$(/usr/bin/python3 bench/models/count_macs.py "$model" --batch 2)
    "$java" -jar "$jar" latency "$out/$arch-0.5.onnx" --batch 1,2 --runs 3 --warmup 1 || status=1
    /usr/bin/python3 - "$original" "$pruned1" "$pruned2" "$original2" "$arch" "$same" <<'PY' || status=1
import sys
def parse(line):
    macs, output = line.split(" ", 1)
    return int(macs.split("=")[1]), output.split("=")[1]
original, out1 = parse(sys.argv[1])
pruned, pout1 = parse(sys.argv[2])
_, pout2 = parse(sys.argv[3])
_, out2 = parse(sys.argv[4])
fraction = pruned / original
ok = 0.49 <= fraction <= 0.50 and pout1 == out1 and pout2 == out2 and sys.argv[6] == "yes"
print(f"| {sys.argv[5]} | {original:,} | {pruned:,} | {fraction:.4f} | {pout1} / {pout2} | {sys.argv[6]} | "
      f"{'met' if ok else 'MISSED'} |")
sys.exit(0 if ok else 1)
PY
done
exit $status
