#!/bin/sh
# The modern-architecture bars: `shears prune --target-fraction 0.5` with the default options on eight full-size
# models (torchvision vit_b_16, swin_t, convnext_tiny, resnext50_32x4d, regnet_y_400mf; the hub-style ViT-B/16 with a
# fused qkv, DeiT-B with its distillation token and Mixer-B/16 of bench/models/hub_models.py; all random weights,
# 224×224, opset 17). For each model that is pruned, the MACs of the original and the pruned file are counted by
# bench/models/bars.py (onnx.shape_inference and numpy, no Shears code) and their ratio must lie in [0.49, 0.50], and
# the pruned file must run in ONNX Runtime at batch 1 and 2 with the original output shape. A model may instead be
# refused with a named reason.
#
# usage: bench/full-size-bars.sh [NAME ...]      (default all; names as `bench/models/bars.py models` lists them;
#                                                 env: BENCH_OUT, JAVA, and PRUNE_OPTIONS: more options for
#                                                 every `shears prune`, e.g. "--scope channels")
#
# Prints a markdown table: model, result or refusal reason, independent MAC ratio, batch 1/2, prune seconds (the
# whole `shears prune` process, JVM start to exit). Exits 1 when a pruned model is wrong (ratio outside the bar, or
# an output shape that differs or fails), 0 otherwise; refusals are reported, not failed.
#
# Builds nothing unless something is missing: the jar (mvnw package), the test classes (mvnw test-compile), the
# models (bench/models/bars.py export: ~1.6 GB in bench/models/out/, ~7 min; needs Debian python3-torch
# python3-torchvision python3-onnx).
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/.." && pwd -P)
cd "$repo"

java=${JAVA:-java}
out=${BENCH_OUT:-$repo/target/bench/full-size-bars}
jar=$repo/target/shears.jar
shapes_class=$repo/target/test-classes/io/shears/cli/OrtOutputShapes.class
bars="/usr/bin/python3 $repo/bench/models/bars.py"

if ! /usr/bin/python3 -c 'import torch, torchvision, onnx' 2>/dev/null; then
    echo "error: MISSING_PACKAGES: the bars need: apt-get install python3-torch python3-torchvision python3-onnx" >&2
    exit 1
fi
if [ ! -f "$jar" ]; then
    echo "# $jar missing: ./mvnw -q -B package -DskipTests" >&2
    ./mvnw -q -B package -DskipTests
fi
if [ ! -f "$shapes_class" ]; then
    echo "# $shapes_class missing: ./mvnw -q -B test-compile" >&2
    ./mvnw -q -B test-compile
fi

tab=$(printf '\t')
if [ $# -gt 0 ]; then
    for name in "$@"; do
        if ! $bars models | cut -f1 | grep -qxF "$name"; then
            echo "error: USAGE: no bar model '$name'; the names are:" >&2
            $bars models | cut -f1 >&2
            exit 2
        fi
    done
fi
$bars export "$@"

rm -rf "$out"
mkdir -p "$out/shapes-classes/io/shears/cli" "$out/shapes-classes/io/shears/testing"
# Private copies, so that a build running meanwhile cannot swap the jar or the classes under the runs.
cp "$jar" "$out/shears.jar"
cp "$shapes_class" "$out/shapes-classes/io/shears/cli/"
cp "$repo"/target/test-classes/io/shears/testing/OrtRunner*.class "$out/shapes-classes/io/shears/testing/"
jar=$out/shears.jar
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

now_ns() { date +%s%N; }

$bars models >"$out/models.tsv"
: >"$out/rows.md"
wrong=0
pruned=0
total=0
while IFS="$tab" read -r name file; do
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qxF "$name"; then
        continue
    fi
    total=$((total + 1))
    model=$repo/bench/models/out/$file
    dir=$out/${file%.onnx}
    mkdir -p "$dir"
    echo "# $name: shears prune $file" >&2
    t0=$(now_ns)
    status=0
    # shellcheck disable=SC2086 # PRUNE_OPTIONS is a list of options
    "$java" -jar "$jar" prune "$model" -o "$dir/pruned.onnx" --target-fraction 0.5 ${PRUNE_OPTIONS:-} --report "$dir/report.json" \
        >"$dir/prune.out" 2>"$dir/prune.err" </dev/null || status=$?
    t1=$(now_ns)
    echo "$status" >"$dir/prune.status"
    awk -v ns="$((t1 - t0))" 'BEGIN { printf "%.1f\n", ns / 1e9 }' >"$dir/prune.seconds"
    if [ "$status" -eq 0 ]; then
        pruned=$((pruned + 1))
        echo "# $name: ONNX Runtime at batch 1 and 2" >&2
        "$java" -Dloader.path="$out/shapes-classes" -Dloader.main=io.shears.cli.OrtOutputShapes \
            -cp "$jar" org.springframework.boot.loader.launch.PropertiesLauncher "$dir/pruned.onnx" 1 2 \
            >"$dir/shapes.out" 2>"$dir/shapes.err" </dev/null || true
    fi
    echo "# $name: counting MACs" >&2
    if ! $bars row "$name" "$model" "$dir" >>"$out/rows.md" </dev/null; then
        if [ "$status" -eq 0 ]; then
            wrong=$((wrong + 1))
        fi
    fi
    # the pruned files are large; keep only what the table needs
    rm -f "$dir/pruned.onnx"
done <"$out/models.tsv"

echo "# $(date -u +%Y-%m-%dT%H:%MZ), options: ${PRUNE_OPTIONS:-defaults}, $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM," \
    "$("$java" -version 2>&1 | head -n 2 | tail -n 1), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg); logs in $out"
echo
echo "| model | result | independent MAC ratio (bar [0.49, 0.50]) | ONNX Runtime, original output shape | prune (whole process) |"
echo "| --- | --- | --- | --- | --- |"
cat "$out/rows.md"
echo
echo "$pruned of $total pruned, $((total - pruned)) refused, $wrong wrong"
[ "$wrong" -eq 0 ]
