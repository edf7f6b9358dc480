#!/usr/bin/env bash
# ONNX Runtime CPU latency of full-size ResNet-50 against the same model pruned to 0.5 of its MACs.
# Usage: bench/latency-resnet50.sh [RUNS] [SCOPE]   (defaults: 20 timed runs after 5 warm-up runs, scope filters)
# Needs target/shears.jar (built if missing) and bench/models/out/resnet50-op17-bnfold.onnx (exported if missing,
# with Debian's python3-torch, python3-torchvision and python3-onnx).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-20}"
SCOPE="${2:-filters}"
MODEL=bench/models/out/resnet50-op17-bnfold.onnx
OUT=target/bench/latency-resnet50
mkdir -p "$OUT"
[ -f target/shears.jar ] || mvn -q -B package -DskipTests
[ -f "$MODEL" ] || /usr/bin/python3 bench/models/export_torchvision.py --size full --arch resnet50 --opset 17 --bn fold
JAR="$OUT/shears.jar"
cp target/shears.jar "$JAR"

java -jar "$JAR" prune "$MODEL" -o "$OUT/pruned.onnx" --target-fraction 0.5 --scope "$SCOPE" --report "$OUT/report.json"
for which in original pruned; do
  file="$MODEL"; [ "$which" = pruned ] && file="$OUT/pruned.onnx"
  java -jar "$JAR" latency "$file" --batch 1,32 --runs "$RUNS" --warmup 5 > "$OUT/$which.json"
done

python3 - "$OUT" "$SCOPE" <<'PY'
import json, sys, os
out, scope = sys.argv[1], sys.argv[2]
r = json.load(open(os.path.join(out, "report.json")))
o = {m["batch"]: m for m in json.load(open(os.path.join(out, "original.json")))}
p = {m["batch"]: m for m in json.load(open(os.path.join(out, "pruned.json")))}
print(f"# scope {scope}: MACs {r['original']['macs']} -> {r['pruned']['macs']} ({r['achievedFraction']:.4f}), "
      f"threads {o[1]['threads']}, runs {o[1]['runs']}")
print("| batch | original median ms | pruned median ms | speed-up |")
print("| --- | --- | --- | --- |")
for b in sorted(o):
    print(f"| {b} | {o[b]['medianMs']:.1f} | {p[b]['medianMs']:.1f} | {o[b]['medianMs'] / p[b]['medianMs']:.2f}x |")
PY
