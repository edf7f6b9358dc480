#!/usr/bin/python3
"""The PyTorch side of the ViT transfer experiment (docs/experiments/vit-transfer.md).

    pretrain  build a small torchvision VisionTransformer for 28x28 grey images, train it on Fashion-MNIST classes
              0-4 (the source task, all 30,000 training images), export it to ONNX (opset 17, no BatchNormalization)
              and write the target task (classes 5-9 relabelled 0-4; 200 training images per class) as the IDX zips
              of pretrain_fmnist.py: fmnist59-finetune.zip and fmnist59-target.zip.
    dense     the baseline: the same pretrained ViT with a new 5-class head, fine-tuned dense on the same 1,000
              target images for the same epochs, with the optimizer and schedule a Shears job uses (SGD with
              momentum 0.9 and weight decay added to the gradient, or AdamW with betas (0.9, 0.999), eps 1e-8 and
              decoupled weight decay; cosine decay per step, no warmup), evaluated on the 5,000 target test images.
              Prints one JSON line.

Needs Debian's python3-torch (1.13), python3-torchvision, python3-onnx and dataset-fashion-mnist. CPU only.

    /usr/bin/python3 bench/experiments/vit_fmnist.py pretrain --out /root/scratch-vit/models
    /usr/bin/python3 bench/experiments/vit_fmnist.py dense --out /root/scratch-vit/models
"""
import argparse
import json
import math
import os
import random
import sys
import time
import warnings
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models import vision_transformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pretrain_fmnist import DATA, accuracy, normalise, read_idx, train, write_target_datasets  # noqa: E402

WEIGHTS = "fmnist04-vit.pt"
ONNX = "fmnist04-vit.onnx"


def build(args, classes=5):
    """torchvision's ViT on 28x28 grey images: 7x7 patches (16 tokens and the class token)."""
    model = vision_transformer.VisionTransformer(image_size=28, patch_size=7, num_layers=args.layers,
                                                 num_heads=args.heads, hidden_dim=args.hidden,
                                                 mlp_dim=args.mlp, num_classes=classes)
    model.conv_proj = nn.Conv2d(1, args.hidden, kernel_size=7, stride=7)
    return model


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def load_split(kind):
    return read_idx(f"{DATA}/{kind}-images-idx3-ubyte.gz"), read_idx(f"{DATA}/{kind}-labels-idx1-ubyte.gz")


def pretrain(args):
    seed_everything(args.seed)
    xtr, ytr = load_split("train")
    xte, yte = load_split("t10k")
    src_tr, src_te = ytr < 5, yte < 5
    sx, sy = normalise(xtr[src_tr]), torch.from_numpy(ytr[src_tr].astype(np.int64))
    tx, ty = normalise(xte[src_te]), torch.from_numpy(yte[src_te].astype(np.int64))
    print(f"source task: classes 0-4, {len(sx)} train / {len(tx)} test images; seed {args.seed}")

    model = build(args)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    steps = args.epochs * ((len(sx) + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.1)
    train(model, opt, sched, sx, sy, tx, ty, args.epochs, args.batch)
    model.eval()
    print(f"SOURCE TEST ACCURACY (classes 0-4, {len(tx)} images): {accuracy(model, tx, ty):.4f}")
    torch.save(model.state_dict(), os.path.join(args.out, WEIGHTS))

    path = os.path.join(args.out, ONNX)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=17, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                          training=torch.onnx.TrainingMode.EVAL, do_constant_folding=True)
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = [n.op_type for n in m.graph.node]
    if "BatchNormalization" in ops:
        sys.exit("the ViT has a BatchNormalization node")
    print(f"{ONNX}: {os.path.getsize(path)} bytes, {len(ops)} nodes, {ops.count('LayerNormalization')} "
          f"LayerNormalization, {ops.count('Softmax')} Softmax, no BatchNormalization")
    write_target_datasets(args.out, xtr, ytr, xte, yte, args.seed, args.per_class, args.monitor_per_class)


def read_zipped_split(out, split):
    """One split of fmnist59-target.zip, the archive Shears evaluates on, normalised, with its labels."""
    with zipfile.ZipFile(os.path.join(out, "fmnist59-target.zip")) as z:
        images = np.frombuffer(z.read(f"{split}-images-idx3-ubyte"), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
        labels = np.frombuffer(z.read(f"{split}-labels-idx1-ubyte"), dtype=np.uint8, offset=8)
    return normalise(images), torch.from_numpy(labels.astype(np.int64))


def dense(args):
    """Fine-tunes the pretrained ViT dense on the target task the way a Shears job does, and evaluates it."""
    seed_everything(args.seed)
    x, y = read_zipped_split(args.out, "train")
    tx, ty = read_zipped_split(args.out, "t10k")
    model = build(args)
    model.load_state_dict(torch.load(os.path.join(args.out, WEIGHTS)))
    # a new head as Shears draws one: PyTorch's default Linear weight, zero bias
    head = nn.Linear(args.hidden, 5)
    nn.init.zeros_(head.bias)
    model.heads.head = head

    if args.finetune_optimizer == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=args.finetune_lr, betas=(0.9, 0.999), eps=1e-8,
                                weight_decay=args.finetune_weight_decay)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=args.finetune_lr, momentum=0.9,
                              weight_decay=args.finetune_weight_decay)
    per_epoch = (len(x) + args.finetune_batch - 1) // args.finetune_batch
    total_steps = args.finetune_epochs * per_epoch
    step = 0
    started = time.time()
    for epoch in range(args.finetune_epochs):
        model.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), args.finetune_batch):
            for group in opt.param_groups:
                group["lr"] = args.finetune_lr * 0.5 * (1 + math.cos(math.pi * step / total_steps))
            idx = perm[i:i + args.finetune_batch]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        print(f"epoch {epoch + 1}/{args.finetune_epochs}: last loss {loss.item():.4f}, target test accuracy "
              f"{accuracy(model, tx, ty):.4f}", flush=True)
    seconds = time.time() - started
    top1 = accuracy(model, tx, ty)
    print(json.dumps({"dense_top1": top1, "test_images": len(tx), "train_images": len(x),
                      "epochs": args.finetune_epochs, "steps": step, "seconds": round(seconds, 1),
                      "lr": args.finetune_lr, "optimizer": args.finetune_optimizer,
                      "weight_decay": args.finetune_weight_decay, "batch": args.finetune_batch, "seed": args.seed}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["pretrain", "dense"])
    ap.add_argument("--out", required=True, help="model and dataset directory")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--mlp", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=2, help="pretraining epochs")
    ap.add_argument("--batch", type=int, default=128, help="pretraining batch")
    ap.add_argument("--lr", type=float, default=2e-3, help="pretraining peak learning rate (AdamW, one cycle)")
    ap.add_argument("--per-class", type=int, default=200, help="target training images per class")
    ap.add_argument("--monitor-per-class", type=int, default=20)
    ap.add_argument("--finetune-epochs", type=int, default=5)
    ap.add_argument("--finetune-batch", type=int, default=32)
    ap.add_argument("--finetune-lr", type=float, default=0.01)
    ap.add_argument("--finetune-optimizer", choices=["sgd", "adamw"], default="sgd",
                    help="the optimizer a Shears job's fineTune.optimizer names")
    ap.add_argument("--finetune-weight-decay", type=float, default=0.0, help="as fineTune.weightDecay")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    pretrain(args) if args.command == "pretrain" else dense(args)


if __name__ == "__main__":
    main()
