#!/usr/bin/python3
"""Export a tiny ViT and PyTorch's answer for one training step on it, for the interpreter's training parity test.

Usage (from the repository root, Debian python3-torch / python3-torchvision / python3-onnx, no network):

    /usr/bin/python3 bench/models/export_training_reference.py

Writes, under src/test/resources/models/training/:

* vit-tiny-op17.onnx: torchvision 0.14's VisionTransformer(image_size=16, patch_size=8, num_layers=2, num_heads=4,
  hidden_dim=32, mlp_dim=64, num_classes=5), parameters drawn as export_torchvision.py draws them for the ViT
  fixture. Exported without constant folding, so that every initializer is one PyTorch parameter under its own
  name (folding would transpose and slice weights into new tensors whose gradients PyTorch never sees).
* vit-tiny-op17-sgd-step.pb: an ONNX ModelProto whose graph has no nodes, only tensors:
  ``input`` (a fixed batch of 4 images), ``labels`` (int64), ``loss`` (mean cross-entropy of the logits, a scalar),
  ``gradient:<initializer name>`` for every parameter, ``learning_rate`` and ``loss_after_step`` (the loss on the
  same batch after one plain SGD step, no momentum, no weight decay).

The model is in training mode for the step; it has no Dropout (torchvision's default dropout is 0) and no
BatchNorm, so training and inference forwards are the same function. Re-running gives byte-identical files.
"""
import os
import sys
import warnings

import onnx
import torch
from onnx import helper, numpy_helper
from torchvision.models import vision_transformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_torchvision  # noqa: E402  (the fixture exporter's seeds and parameter draws)

OUT_DIR = os.path.join("src", "test", "resources", "models", "training")
MODEL_FILE = "vit-tiny-op17.onnx"
REFERENCE_FILE = "vit-tiny-op17-sgd-step.pb"
BATCH = 4
IMAGE = 16
CLASSES = 5
LEARNING_RATE = 0.05
DATA_SEED = 3


def build():
    torch.manual_seed(export_torchvision.MODEL_SEED)
    model = vision_transformer.VisionTransformer(image_size=IMAGE, patch_size=8, num_layers=2, num_heads=4,
                                                 hidden_dim=32, mlp_dim=64, num_classes=CLASSES)
    export_torchvision.randomize_params(model)
    return model


def export(model, x, path):
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, x, path, export_params=True, opset_version=17,
                          training=torch.onnx.TrainingMode.EVAL, do_constant_folding=False,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})


def tensor(name, value):
    return numpy_helper.from_array(value.detach().numpy(), name)


def main():
    torch.set_num_threads(1)
    model = build()
    g = torch.Generator().manual_seed(DATA_SEED)
    x = torch.randn(BATCH, 3, IMAGE, IMAGE, generator=g)
    labels = torch.randint(0, CLASSES, (BATCH,), generator=g)
    os.makedirs(OUT_DIR, exist_ok=True)
    model_path = os.path.join(OUT_DIR, MODEL_FILE)
    export(model, x, model_path)

    exported = onnx.load(model_path)
    onnx.checker.check_model(exported, full_check=True)
    initializers = {i.name for i in exported.graph.initializer}
    parameters = dict(model.named_parameters())
    missing = sorted(set(parameters) - initializers)
    if missing:
        sys.exit(f"parameters without an initializer of the same name: {missing}")

    model.train()
    loss_fn = torch.nn.CrossEntropyLoss()
    loss = loss_fn(model(x), labels)
    loss.backward()
    tensors = [tensor("input", x), tensor("labels", labels), tensor("loss", loss),
               tensor("learning_rate", torch.tensor(LEARNING_RATE))]
    for name in sorted(parameters):
        tensors.append(tensor("gradient:" + name, parameters[name].grad))
    with torch.no_grad():
        for p in parameters.values():
            p -= LEARNING_RATE * p.grad
        after = loss_fn(model(x), labels)
    tensors.append(tensor("loss_after_step", after))

    graph = helper.make_graph([], "sgd-step-reference", [], [], initializer=tensors)
    reference = helper.make_model(graph, producer_name="export_training_reference.py")
    reference_path = os.path.join(OUT_DIR, REFERENCE_FILE)
    with open(reference_path, "wb") as f:
        f.write(reference.SerializeToString())
    print(f"{model_path} {os.path.getsize(model_path)} bytes, {len(parameters)} parameters, "
          f"{sum(p.numel() for p in parameters.values())} values")
    print(f"{reference_path} {os.path.getsize(reference_path)} bytes, loss {loss.item():.6f} → "
          f"{after.item():.6f} after one SGD step at lr {LEARNING_RATE}")


if __name__ == "__main__":
    main()
