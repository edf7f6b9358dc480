#!/bin/bash
# ViT transfer experiment, end to end (docs/experiments/vit-transfer.md): pretrain the small ViT on Fashion-MNIST
# classes 0-4 and export it, write the target datasets, fine-tune it dense in PyTorch (the baseline), build the jar,
# start Shears from it in a temporary data directory, prune and fine-tune through the API, stop the service.
#
#   bench/experiments/run_vit.sh [driver options, e.g. --fractions 0.5]
#
# One compute thread per process by default (THREADS=2 for two). SEED (default 0) seeds both fine-tunings (the new
# head's weights and the batch order); the pretraining always uses seed 0. LR (default 0.01) is both fine-tunings'
# peak learning rate; TAG (optional) names a variant of the driver options in the result files. Scratch: $SCRATCH
# (default /root/scratch-vit); a rerun keeps the pretrained model.
# Results: $SCRATCH/dense-s$SEED-lr$LR.json (one JSON line) and $SCRATCH/shears-s$SEED-lr$LR[-$TAG].json (a list,
# one entry per prune fraction).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SCRATCH=${SCRATCH:-/root/scratch-vit}
PORT=${PORT:-8283}
KEY=${SHEARS_API_KEY:-experiment-key-0123456789}
THREADS=${THREADS:-1}
SEED=${SEED:-0}
LR=${LR:-0.01}
RUN="s$SEED-lr$LR"
mkdir -p "$SCRATCH/models"

if [ ! -f "$SCRATCH/models/fmnist04-vit.onnx" ]; then
  /usr/bin/python3 -u "$REPO/bench/experiments/vit_fmnist.py" pretrain --out "$SCRATCH/models" --threads "$THREADS" \
    2>&1 | tee "$SCRATCH/pretrain.log"
fi
/usr/bin/python3 -u "$REPO/bench/experiments/vit_fmnist.py" dense --out "$SCRATCH/models" --threads "$THREADS" \
  --seed "$SEED" --finetune-lr "$LR" 2>&1 | tee "$SCRATCH/dense-$RUN.log"
tail -n 1 "$SCRATCH/dense-$RUN.log" > "$SCRATCH/dense-$RUN.json"

if [ ! -f "$REPO/target/shears.jar" ]; then
  (cd "$REPO" && ./mvnw -q -B -ntp package -DskipTests)
fi
cd "$REPO"
. bench/packaged-service.sh
start_packaged_service "$REPO/target/shears.jar" "$PORT" "$KEY" "$SCRATCH/service.log" \
  -Dshears.engine.intraop-threads="$THREADS" -Dshears.engine.interop-threads=1
python3 "$REPO/bench/experiments/vit_transfer.py" --url "http://localhost:$PORT" --key "$KEY" \
  --models "$SCRATCH/models" --out "$SCRATCH/shears-$RUN${TAG:+-$TAG}.json" --seed "$SEED" --lr "$LR" "$@" 2>&1 \
  | tee "$SCRATCH/driver-$RUN${TAG:+-$TAG}.log"
