#!/usr/bin/python3
"""Pretrain a small ResNet-style CNN on Fashion-MNIST classes 0-4 (the source task), export it to ONNX twice
(BatchNorm kept, BatchNorm folded), and write the target task (classes 5-9 relabelled 0-4) as an IDX zip that Shears
accepts: 200 training images per class (seeded) and the full test split of those classes as t10k.

Needs Debian's python3-torch (1.13), python3-onnx and dataset-fashion-mnist. CPU only, 2 threads by default.

Seeds: torch/numpy/python seed SEED (default 0) for initialisation and shuffling; the target training subset is drawn
with numpy.random.default_rng(SEED + 1000).

    /usr/bin/python3 bench/experiments/pretrain_fmnist.py --out /root/scratch-experiment/models
"""
import argparse
import gzip
import io
import os
import random
import struct
import sys
import time
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST training-set pixel mean and std (of values in [0, 1])


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def idx_bytes(array):
    """An uint8 array as an IDX file (magic 0x00000800 | ndim, big-endian dims)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + array.tobytes()


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.down is None else self.down(x)))


class SmallResNet(nn.Module):
    """Stem 3x3 conv (stride 2: 28x28 -> 14x14), three stages of two BasicBlocks (widths w, 2w, 4w; the 2nd and 3rd
    stage downsample by 2: 14 -> 7 -> 4), global average pool, linear head."""

    def __init__(self, width=16, classes=5):
        super().__init__()
        w = [width, 2 * width, 4 * width]
        self.stem = nn.Sequential(nn.Conv2d(1, w[0], 3, 2, 1, bias=False), nn.BatchNorm2d(w[0]), nn.ReLU())
        layers, cin = [], w[0]
        for i, c in enumerate(w):
            layers += [BasicBlock(cin, c, 1 if i == 0 else 2), BasicBlock(c, c, 1)]
            cin = c
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def fold_bn(model):
    """A copy of the eval-mode model with every BatchNorm folded into the convolution before it."""
    import copy
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    m = copy.deepcopy(model).eval()
    m.stem[0] = fuse_conv_bn_eval(m.stem[0], m.stem[1])
    m.stem[1] = nn.Identity()
    for b in m.layers:
        b.conv1 = fuse_conv_bn_eval(b.conv1, b.bn1)
        b.bn1 = nn.Identity()
        b.conv2 = fuse_conv_bn_eval(b.conv2, b.bn2)
        b.bn2 = nn.Identity()
        if b.down is not None:
            b.down = nn.Sequential(fuse_conv_bn_eval(b.down[0], b.down[1]))
    return m


def normalise(images):
    return (torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1) - MEAN) / STD


def accuracy(model, x, y, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def train(model, opt, sched, sx, sy, tx, ty, epochs, batch):
    """Trains on (sx, sy) in shuffled batches, stepping the scheduler per batch; prints the test accuracy per epoch."""
    for epoch in range(epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(sx))
        total = 0.0
        for i in range(0, len(sx), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(model(sx[idx]), sy[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(sx):.4f}, source test accuracy "
              f"{accuracy(model, tx, ty):.4f} ({time.time() - t0:.0f} s)", flush=True)


def export(model, path, keep_bn):
    """Eval mode. BN kept: TrainingMode.PRESERVE (the EVAL peephole pass would fold every BN into its Conv) without
    constant folding; BN folded: the model's BNs are already folded (fold_bn), EVAL with constant folding."""
    model.eval()
    mode = torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=17, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      training=mode, do_constant_folding=not keep_bn)


def write_target_datasets(out, xtr, ytr, xte, yte, seed, per_class, monitor_per_class):
    """The target task, classes 5-9 relabelled 0-4, as two IDX zips that Shears accepts: ``fmnist59-target.zip``
    (PER_CLASS training images per class, drawn with numpy.random.default_rng(SEED + 1000), and the full test split
    of those classes as t10k) and ``fmnist59-finetune.zip`` (the same training images; as t10k, MONITOR_PER_CLASS
    other training images per class). Returns the training labels and the test images and labels."""
    # Shears evaluates the validation split after every epoch, and the full 5,000-image test split there would cost
    # more than training; so the fine-tuning dataset's t10k is a small held-out part of the training split.
    rng = np.random.default_rng(seed + 1000)
    chosen, monitor = [], []
    for c in range(5, 10):
        idx = rng.permutation(np.flatnonzero(ytr == c))
        chosen.append(idx[:per_class])
        monitor.append(idx[per_class:per_class + monitor_per_class])
    chosen = np.concatenate(chosen)
    chosen = chosen[rng.permutation(len(chosen))]
    monitor = np.concatenate(monitor)
    t_train_x, t_train_y = xtr[chosen], ytr[chosen] - 5
    tsel = yte >= 5
    t_test_x, t_test_y = xte[tsel], yte[tsel] - 5

    def write_zip(path, val_x, val_y):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("train-images-idx3-ubyte", idx_bytes(t_train_x))
            z.writestr("train-labels-idx1-ubyte", idx_bytes(t_train_y))
            z.writestr("t10k-images-idx3-ubyte", idx_bytes(val_x))
            z.writestr("t10k-labels-idx1-ubyte", idx_bytes(val_y))

    zpath = os.path.join(out, "fmnist59-target.zip")
    write_zip(zpath, t_test_x, t_test_y)
    fpath = os.path.join(out, "fmnist59-finetune.zip")
    write_zip(fpath, xtr[monitor], ytr[monitor] - 5)
    print(f"target task: classes 5-9 as 0-4, {len(t_train_x)} train images ({per_class} per class, "
          f"rng seed {seed + 1000}) and {len(t_test_x)} test images (t10k) -> {zpath}")
    print(f"fine-tuning dataset: the same {len(t_train_x)} train images and {len(monitor)} other training images "
          f"({monitor_per_class} per class) as t10k -> {fpath}")
    return t_train_y, t_test_x, t_test_y


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--width", type=int, default=16, help="channels of the first stage (then 2x, 4x)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2,
                    help="torch threads (1 is far faster on a saturated machine under nice: 2 threads spin on each "
                         "other when the scheduler starves one of them)")
    ap.add_argument("--per-class", type=int, default=200, help="target training images per class")
    ap.add_argument("--monitor-per-class", type=int, default=20,
                    help="held-out target training images per class for the fine-tuning dataset's validation split")
    ap.add_argument("--reuse", action="store_true", help="load OUT/fmnist04-resnet.pt instead of training")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    xtr, ytr = read_idx(f"{DATA}/train-images-idx3-ubyte.gz"), read_idx(f"{DATA}/train-labels-idx1-ubyte.gz")
    xte, yte = read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz"), read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz")

    # Source task: classes 0-4, all their training images.
    src_tr, src_te = ytr < 5, yte < 5
    sx, sy = normalise(xtr[src_tr]), torch.from_numpy(ytr[src_tr].astype(np.int64))
    tx, ty = normalise(xte[src_te]), torch.from_numpy(yte[src_te].astype(np.int64))
    print(f"source task: classes 0-4, {len(sx)} train / {len(tx)} test images; seed {args.seed}")

    model = SmallResNet(args.width)
    weights = os.path.join(args.out, "fmnist04-resnet.pt")
    if args.reuse and os.path.exists(weights):
        model.load_state_dict(torch.load(weights))
        print(f"loaded {weights} (not trained again)")
        args.epochs = 0
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
    steps = max(1, args.epochs) * ((len(sx) + 127) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=steps)
    train(model, opt, sched, sx, sy, tx, ty, args.epochs, 128)
    model.eval()
    src_acc = accuracy(model, tx, ty)
    print(f"SOURCE TEST ACCURACY (classes 0-4, {len(tx)} images): {src_acc:.4f}")

    keep = os.path.join(args.out, "fmnist04-resnet-bnkeep.onnx")
    folded = os.path.join(args.out, "fmnist04-resnet-bnfold.onnx")
    export(model, keep, True)
    fused = fold_bn(model)
    fused_acc = accuracy(fused, tx, ty)
    export(fused, folded, False)
    torch.save(model.state_dict(), weights)

    import onnx
    for path in (keep, folded):
        m = onnx.load(path)
        onnx.checker.check_model(m)
        ops = [n.op_type for n in m.graph.node]
        print(f"{os.path.basename(path)}: {os.path.getsize(path)} bytes, {len(ops)} nodes, "
              f"{ops.count('BatchNormalization')} BatchNormalization, {ops.count('Conv')} Conv, {ops.count('Add')} Add")
    if "BatchNormalization" in [n.op_type for n in onnx.load(folded).graph.node]:
        sys.exit("the folded model still has BatchNormalization nodes")
    if "BatchNormalization" not in [n.op_type for n in onnx.load(keep).graph.node]:
        sys.exit("the BN-kept model has no BatchNormalization node")
    print(f"folded model source test accuracy: {fused_acc:.4f} (BN kept: {src_acc:.4f})")

    t_train_y, t_test_x, t_test_y = write_target_datasets(args.out, xtr, ytr, xte, yte, args.seed, args.per_class,
                                                          args.monitor_per_class)
    print(f"target train label counts: {np.bincount(t_train_y).tolist()}, test: {np.bincount(t_test_y).tolist()}")
    # Source-task dataset for the recalibration check (pruned zero-shot on the source task, with and without BN
    # recalibration): 200 source training images per class (rng seed SEED + 2000) and the full source test split.
    rng = np.random.default_rng(args.seed + 2000)
    src = np.concatenate([rng.choice(np.flatnonzero(ytr == c), args.per_class, replace=False) for c in range(5)])
    src = src[rng.permutation(len(src))]
    spath = os.path.join(args.out, "fmnist04-source.zip")
    with zipfile.ZipFile(spath, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("train-images-idx3-ubyte", idx_bytes(xtr[src]))
        z.writestr("train-labels-idx1-ubyte", idx_bytes(ytr[src]))
        z.writestr("t10k-images-idx3-ubyte", idx_bytes(xte[src_te]))
        z.writestr("t10k-labels-idx1-ubyte", idx_bytes(yte[src_te]))
    print(f"source-task check dataset: {len(src)} train images (rng seed {args.seed + 2000}), "
          f"{int(src_te.sum())} test images -> {spath}")
    # Zero-shot transfer with the source head, for reference (the labels mean different classes).
    tt = normalise(t_test_x)
    print(f"source model on target test set (source head, no training): "
          f"{accuracy(model, tt, torch.from_numpy(t_test_y.astype(np.int64))):.4f}")


if __name__ == "__main__":
    main()
