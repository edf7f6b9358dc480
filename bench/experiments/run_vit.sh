#!/bin/bash
# ViT transfer experiment, end to end (docs/experiments/vit-transfer.md): pretrain the small ViT on Fashion-MNIST
# classes 0-4 and export it, write the target datasets, fine-tune it dense in PyTorch (the baseline), build the jar,
# start Shears from it in a temporary data directory, prune and fine-tune through the API, stop the service.
#
#   bench/experiments/run_vit.sh [driver options, e.g. --fractions 0.5]
#
# One compute thread per process by default (THREADS=2 for two). SEED (default 0) seeds both fine-tunings (the new
# head's weights and the batch order); the pretraining always uses seed 0. LR (default 0.01) is both fine-tunings'
# peak learning rate; OPTIMIZER (sgd, the default, or adamw) and WD (weight decay, default 0) are both fine-tunings'
# optimizer; TAG (optional) names a variant of the driver options in the result files. Scratch: $SCRATCH
# (default /root/scratch-vit); a rerun keeps the pretrained model, and the dense baseline of a seed and optimizer
# setting already run (its result file is reused: the baseline does not depend on the driver options).
# Results: $SCRATCH/dense-$RUN.json (one JSON line) and $SCRATCH/shears-$RUN[-$TAG].json (a list, one entry per
# prune fraction), where RUN is s$SEED-lr$LR for SGD without weight decay, else s$SEED-$OPTIMIZER-wd$WD-lr$LR.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SCRATCH=${SCRATCH:-/root/scratch-vit}
PORT=${PORT:-8283}
KEY=${SHEARS_API_KEY:-experiment-key-0123456789}
THREADS=${THREADS:-1}
SEED=${SEED:-0}
LR=${LR:-0.01}
OPTIMIZER=${OPTIMIZER:-sgd}
WD=${WD:-0}
if [ "$OPTIMIZER" = sgd ] && [ "$WD" = 0 ]; then RUN="s$SEED-lr$LR"; else RUN="s$SEED-$OPTIMIZER-wd$WD-lr$LR"; fi
mkdir -p "$SCRATCH/models"

if [ ! -f "$SCRATCH/models/fmnist04-vit.onnx" ]; then
  /usr/bin/python3 -u "$REPO/bench/experiments/vit_fmnist.py" pretrain --out "$SCRATCH/models" --threads "$THREADS" \
    2>&1 | tee "$SCRATCH/pretrain.log"
fi
if [ ! -s "$SCRATCH/dense-$RUN.json" ]; then
  /usr/bin/python3 -u "$REPO/bench/experiments/vit_fmnist.py" dense --out "$SCRATCH/models" --threads "$THREADS" \
    --seed "$SEED" --finetune-lr "$LR" --finetune-optimizer "$OPTIMIZER" --finetune-weight-decay "$WD" 2>&1 \
    | tee "$SCRATCH/dense-$RUN.log"
  tail -n 1 "$SCRATCH/dense-$RUN.log" > "$SCRATCH/dense-$RUN.json"
fi

if [ ! -f "$REPO/target/shears.jar" ]; then
  (cd "$REPO" && ./mvnw -q -B -ntp package -DskipTests)
fi
cd "$REPO"
. bench/packaged-service.sh
start_packaged_service "$REPO/target/shears.jar" "$PORT" "$KEY" "$SCRATCH/service.log" \
  -Dshears.engine.intraop-threads="$THREADS" -Dshears.engine.interop-threads=1
python3 "$REPO/bench/experiments/vit_transfer.py" --url "http://localhost:$PORT" --key "$KEY" \
  --models "$SCRATCH/models" --out "$SCRATCH/shears-$RUN${TAG:+-$TAG}.json" --seed "$SEED" --lr "$LR" --optimizer "$OPTIMIZER" --weight-decay "$WD" "$@" 2>&1 \
  | tee "$SCRATCH/driver-$RUN${TAG:+-$TAG}.log"
