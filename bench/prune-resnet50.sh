#!/bin/sh
# Benchmark of the pruning core: `shears prune` on the full-size torchvision ResNet-50 (opset 17, BN folded, ~100 MB)
# to 0.5 of its MACs, against the floor of reading and writing the same file; both under -Xmx1g, the heap bar.
# What it measures and prints: bench/prune-bench.sh.
#
# usage: bench/prune-resnet50.sh [RUNS]        (default 5; env: RUNS, BENCH_OUT, JAVA)
here=$(cd "$(dirname "$0")" && pwd -P)
MODEL_FILE=resnet50-op17-bnfold.onnx \
EXPORT_ARGS='--size full --arch resnet50 --opset 17 --bn fold' \
BENCH_NAME=prune-resnet50 HEAP_MIB=1024 exec "$here/prune-bench.sh" "$@"
