#!/bin/sh
# Benchmark of the pruning core on a transformer: `shears prune` on the full-size torchvision ViT-B/16 (vit_b_16, opset
# 17, ~350 MB) to 0.5 of its MACs, against the floor of reading and writing the same file; both under -Xmx2g (the
# model is 3.4 times ResNet-50's size; no heap bar is set for it). What it measures and prints: bench/prune-bench.sh.
#
# usage: bench/prune-vit.sh [RUNS]        (default 5; env: RUNS, BENCH_OUT, JAVA)
here=$(cd "$(dirname "$0")" && pwd -P)
MODEL_FILE=vit-op17.onnx \
EXPORT_ARGS='--size full --family transformer --arch vit --opset 17' \
BENCH_NAME=prune-vit HEAP_MIB=2048 exec "$here/prune-bench.sh" "$@"
