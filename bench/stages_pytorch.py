#!/usr/bin/python3
"""PyTorch eager side of bench/stages-vs-pytorch.sh: the same stages Shears runs, on the same model and images.

  stages_pytorch.py prepare --model fmnist|resnet18 --out DIR --train N --val N
      builds the model (fmnist: the experiment's SmallResNet, width 16, from bench/experiments/pretrain_fmnist.py;
      resnet18: torchvision's, at 224x224), seeded, 10 classes; saves its weights (DIR/model.pt), exports the same
      weights to ONNX with BatchNorm kept (DIR/model.onnx, what Shears trains), and writes the first N Fashion-MNIST
      training and test images as an IDX zip (DIR/data.zip, what both sides read)
  stages_pytorch.py run --dir DIR --batch B --threads T --calibration-batches K --validation-samples V
      prints one line per stage, as the Java harness (io.shears.engine.StageTimings) does:
      stage=NAME seconds=S images=N

The images are decoded and preprocessed once, before the stages (printed as stage=prepare), as Shears' cache does
from its first pass on: /255, bilinear resize to the model's side, grey repeated to RGB for resnet18, (x - mean)/std.
Needs Debian's python3-torch (1.13), python3-torchvision, python3-onnx and dataset-fashion-mnist.
"""
import argparse
import gzip
import io
import os
import struct
import sys
import time
import zipfile

import numpy as np
import torch
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530
SIDES = {"fmnist": (28, 1), "resnet18": (224, 3)}


def build(model):
    torch.manual_seed(0)
    if model == "fmnist":
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "experiments"))
        from pretrain_fmnist import SmallResNet
        return SmallResNet(width=16, classes=10)
    import torchvision
    return torchvision.models.resnet18(weights=None, num_classes=10)


def read_idx(path, count):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    items = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    return items[:count]


def idx_bytes(array):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + array.astype(np.uint8).tobytes()


def distinct_batch_norms(model):
    """Seeded, distinct BatchNorm parameters and statistics: freshly built, every BN holds ones and zeros, and the
    exporter stores identical tensors once, which leaves the BN nodes without running statistics of their own."""
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=generator))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=generator))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=generator))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=generator))


def prepare(args):
    os.makedirs(args.out, exist_ok=True)
    model = build(args.model).eval()
    distinct_batch_norms(model)
    side, channels = SIDES[args.model]
    torch.save({"model": args.model, "state": model.state_dict()}, os.path.join(args.out, "model.pt"))
    torch.onnx.export(model, torch.zeros(1, channels, side, side), os.path.join(args.out, "model.onnx"),
                      opset_version=17, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    parts = {"train-images-idx3-ubyte": read_idx(f"{DATA}/train-images-idx3-ubyte.gz", args.train),
             "train-labels-idx1-ubyte": read_idx(f"{DATA}/train-labels-idx1-ubyte.gz", args.train),
             "t10k-images-idx3-ubyte": read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz", args.val),
             "t10k-labels-idx1-ubyte": read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz", args.val)}
    with zipfile.ZipFile(os.path.join(args.out, "data.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for name, array in parts.items():
            z.writestr(name, idx_bytes(array))
    with open(os.path.join(args.out, "shape"), "w") as f:
        f.write(f"{side} {channels}\n")


def load_split(z, images, labels, side, channels):
    def array(name):
        data = z.read(name)
        dims = data[3]
        shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
        return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    x = torch.from_numpy(array(images).astype(np.float32) / 255.0).unsqueeze(1)
    if x.shape[-1] != side:
        x = F.interpolate(x, size=(side, side), mode="bilinear", align_corners=False)
    if channels == 3:
        x = x.repeat(1, 3, 1, 1)
    return ((x - MEAN) / STD).contiguous(), torch.from_numpy(array(labels).astype(np.int64))


def stage(name, start, images):
    print(f"stage={name} seconds={time.perf_counter() - start:.4f} images={images}", flush=True)


def evaluate(model, x, y, batch):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(x[i:i + batch])
            loss += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
            correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    return correct / max(1, len(x)), loss / max(1, len(x))


def run(args):
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    saved = torch.load(os.path.join(args.dir, "model.pt"))
    side, channels = SIDES[saved["model"]]
    print(f"# pytorch {torch.__version__} threads={torch.get_num_threads()} "
          f"interop={torch.get_num_interop_threads()} OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')} "
          f"GOMP_SPINCOUNT={os.environ.get('GOMP_SPINCOUNT', 'unset')}")
    start = time.perf_counter()
    with zipfile.ZipFile(os.path.join(args.dir, "data.zip")) as z:
        tx, ty = load_split(z, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", side, channels)
        vx, vy = load_split(z, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", side, channels)
    stage("prepare", start, len(tx) + len(vx))
    # warm-up rounds first, each from the saved weights, as Shears' side runs them (a process that has trained before)
    for round in range(args.warmup, -1, -1):
        model = build(saved["model"])
        model.load_state_dict(saved["state"])
        run_round(args, model, tx, ty, vx, vy, "# warm-up " if round > 0 else "")


def run_round(args, model, tx, ty, vx, vy, prefix):
    def mark(name, start, images):
        print(prefix, end="")
        stage(name, start, images)

    generator = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    order = torch.randperm(len(tx), generator=generator)
    model.train()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    seen = 0
    with torch.no_grad():
        for b in range(min(args.calibration_batches, (len(tx) + args.batch - 1) // args.batch)):
            idx = order[b * args.batch:(b + 1) * args.batch]
            model(tx[idx])
            seen += len(idx)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = 0.1
    mark("calibration", start, seen)

    start = time.perf_counter()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    order = torch.randperm(len(tx), generator=generator)
    for i in range(0, len(tx), args.batch):
        idx = order[i:i + args.batch]
        optimizer.zero_grad()
        logits = model(tx[idx])
        loss = F.cross_entropy(logits, ty[idx])
        loss.backward()
        optimizer.step()
        loss.item()
        (logits.detach().argmax(1) == ty[idx]).sum().item()
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()},
               os.path.join(args.dir, "checkpoint.pt"))
    mark("train-epoch", start, len(tx))

    sample = torch.randperm(len(vx), generator=generator)[:args.validation_samples].sort().values
    start = time.perf_counter()
    evaluate(model, vx[sample], vy[sample], args.batch)
    mark("validation", start, len(sample))

    start = time.perf_counter()
    evaluate(model, vx, vy, args.batch)
    mark("evaluation", start, len(vx))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--model", choices=sorted(SIDES), required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--train", type=int, default=1000)
    p.add_argument("--val", type=int, default=5000)
    r = sub.add_parser("run")
    r.add_argument("--dir", required=True)
    r.add_argument("--batch", type=int, default=64)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--calibration-batches", type=int, default=10)
    r.add_argument("--validation-samples", type=int, default=1000)
    r.add_argument("--warmup", type=int, default=0, help="untimed rounds of every stage before the timed one")
    args = ap.parse_args()
    prepare(args) if args.command == "prepare" else run(args)


if __name__ == "__main__":
    main()
