#!/usr/bin/env python3
"""ViT transfer experiment, the Shears side (docs/experiments/vit-transfer.md), through the public API only (stdlib).

Uploads the ViT that vit_fmnist.py pretrained and its target datasets, then submits one job per prune fraction:
prune (scope filters by default: attention heads and MLP widths), a new 5-class head on the class token's projection, a
BatchNorm recalibration that the report must call a no-op, fine-tuning for EPOCHS epochs on the 1,000 target images
(SGD with momentum 0.9 or AdamW, cosine, the same settings as vit_fmnist.py dense), evaluation on the 5,000 target test images and
ONNX Runtime latency of the original against the pruned model. Prints one JSON line per job and writes them all to
--out.

    python3 bench/experiments/vit_transfer.py --url http://localhost:8283 --key experiment-key-0123456789 \\
        --models /root/scratch-vit/models --out /root/scratch-vit/shears.json
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compute_optimal import Api, upload  # noqa: E402

MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST training-set pixel mean and std, as vit_fmnist.py normalises


def job_spec(args, model, finetune, target, fraction):
    return {
        "modelId": model["id"],
        "budget": {"fraction": fraction},
        "pruning": {"scope": args.scope, "criterion": args.criterion, "allocation": args.allocation, "attentionUnit": args.attention_unit,
                    "seed": args.seed},
        "input": {"channels": "grey", "mean": [MEAN], "std": [STD]},
        "calibration": {"datasetId": finetune["id"], "batches": 2},
        "fineTune": {"datasetId": finetune["id"], "epochs": args.epochs, "batchSize": args.batch,
                     "learningRate": args.lr, "optimizer": args.optimizer, "weightDecay": args.weight_decay,
                     "head": "replace", "seed": args.seed},
        "evaluation": {"datasetId": target["id"]},
        "labels": {"experiment": "vit-transfer", "fraction": str(fraction)},
    }


def wait(api, job_id):
    while True:
        job = api.call("GET", f"/v1/jobs/{job_id}")
        if job["state"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return job
        time.sleep(2)


def row(api, fraction, job):
    out = {"fraction": fraction, "job": job["id"], "state": job["state"], "error": job.get("error")}
    report_link = next((a for a in (job.get("result") or {}).get("artifacts") or [] if a["name"] == "report.json"),
                       None)
    if report_link is None:
        return out
    report = json.loads(api.call("GET", report_link["url"], raw=True))
    compute = report["compute"]
    accuracy = report["accuracy"]
    epochs = report["fineTuning"]["epochs"]
    out.update(
        original_macs=compute["original"]["macs"], pruned_macs=compute["pruned"]["macs"],
        original_params=compute["original"]["params"], pruned_params=compute["pruned"]["params"],
        head=report["head"], recalibration=report["recalibration"],
        pruned_zero_shot_top1=(accuracy.get("prunedZeroShot") or {}).get("top1"),
        fine_tuned_top1=accuracy["fineTuned"]["top1"], eval_samples=accuracy["fineTuned"]["samples"],
        epochs=len(epochs), finetune_seconds=round(sum(e["seconds"] for e in epochs), 1),
        threads=report["fineTuning"]["threads"],
        latency=[{"batch": b["batch"], "original_ms": b["original"]["medianMs"], "pruned_ms": b["pruned"]["medianMs"],
                  "speed_up": b["speedUp"]} for b in report["latency"]["batches"]],
        groups=[{"name": g["name"], "channels": g["channels"], "kept": g["kept"]} for g in compute["groups"]
                if g["channels"] != g["kept"]],
    )
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://localhost:8283")
    ap.add_argument("--key", default=os.environ.get("SHEARS_API_KEY", "experiment-key-0123456789"))
    ap.add_argument("--models", default="/root/scratch-vit/models", help="directory written by vit_fmnist.py")
    ap.add_argument("--out", default="/root/scratch-vit/shears.json")
    ap.add_argument("--fractions", default="0.5,1.0", help="1.0 fine-tunes the dense ViT in Shears, for reference")
    ap.add_argument("--scope", default="filters", help="filters: heads and MLP widths; channels: the embedding too")
    ap.add_argument("--allocation", default="uniform", help="uniform or global")
    ap.add_argument("--criterion", default="l1", help="l1 or l2 (weight magnitude of every coupled slice)")
    ap.add_argument("--attention-unit", default="heads", help="heads (whole heads go) or head-width (every head narrows)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--optimizer", default="sgd", help="sgd (momentum 0.9) or adamw")
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    api = Api(args.url, args.key)
    state = {"uploads": {}}
    model = upload(api, state, "models", os.path.join(args.models, "fmnist04-vit.onnx"), "fmnist04-vit")
    finetune = upload(api, state, "datasets", os.path.join(args.models, "fmnist59-finetune.zip"), "fmnist59-finetune")
    target = upload(api, state, "datasets", os.path.join(args.models, "fmnist59-target.zip"), "fmnist59-target")
    print(f"model {model['id']}: {model.get('macs')} MACs; datasets {finetune['id']}, {target['id']}", flush=True)
    rows = []
    for fraction in (float(f) for f in args.fractions.split(",")):
        job = api.call("POST", "/v1/jobs", job_spec(args, model, finetune, target, fraction))
        result = row(api, fraction, wait(api, job["id"]))
        print(json.dumps(result), flush=True)
        rows.append(result)
    with open(args.out, "w") as f:
        json.dump(rows, f, indent=2)
    return 0 if all(r["state"] == "SUCCEEDED" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
