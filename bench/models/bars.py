#!/usr/bin/python3
"""Helpers of bench/full-size-bars.sh: the full-size models of the modern-architecture bars, and an independent MAC
counter.

    bars.py models                      the bar models, one line each: NAME FILE (files in bench/models/out/)
    bars.py export [NAME ...]           export those missing (default all) into bench/models/out/
    bars.py macs MODEL                  MACs of MODEL at batch 1, as JSON
    bars.py row NAME ORIGINAL OUT_DIR   one markdown table row from the files the bars script left in OUT_DIR

The MAC counter shares no code with Shears: it reads the ONNX file with the onnx package, fixes the batch axis of
every graph input to 1, runs onnx.shape_inference (with data propagation, so that Reshape targets computed from
Shape sub-graphs are resolved), and counts one multiply-accumulate per weight (or second operand) element per output
position of Conv, ConvTranspose, Gemm and MatMul, including MatMul between two activations (attention's Q·Kᵀ and
A·V). Where shape inference leaves an output's leading axis unknown (it does after some Gather/Squeeze chains on the
class token), that axis is the batch, 1; the count says how many it assumed.
"""

import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference

INTEGER_TYPES = {onnx.TensorProto.INT64, onnx.TensorProto.INT32, onnx.TensorProto.BOOL}
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")

# name -> (file in bench/models/out, how it is exported)
MODELS = {
    "vit_b_16": ("vit-op17.onnx", "transformer:vit"),
    "swin_t": ("swin-op17.onnx", "transformer:swin"),
    "convnext_tiny": ("convnext-op17.onnx", "transformer:convnext"),
    "resnext50_32x4d": ("resnext50_32x4d-op17-bnfold.onnx", "grouped:resnext50_32x4d"),
    "regnet_y_400mf": ("regnet_y_400mf-op17-bnfold.onnx", "grouped:regnet_y_400mf"),
    "hub ViT-B/16 (fused qkv)": ("hubvit-op17.onnx", "hub:hubvit"),
    "DeiT-B (distillation token)": ("deit-op17.onnx", "hub:deit"),
    "Mixer-B/16": ("mixer-op17.onnx", "hub:mixer"),
}


def export(names):
    sys.path.insert(0, HERE)
    import export_torchvision as etv

    os.makedirs(OUT, exist_ok=True)
    by_family = {}
    for name in names:
        file, how = MODELS[name]
        if os.path.exists(os.path.join(OUT, file)):
            print(f"# {file} is there")
            continue
        family, arch = how.split(":")
        by_family.setdefault(family, []).append(arch)
    for family, archs in by_family.items():
        if family == "grouped":
            # torchvision's own models with weights=None, exported like the CNN family's bnfold files
            for arch in archs:
                model = etv.build(arch, "full")
                path = os.path.join(OUT, f"{arch}-op17-bnfold.onnx")
                etv.export_onnx(model, etv.example_input(etv.FULL_HW), path, 17, "fold")
                onnx.checker.check_model(onnx.load(path), full_check=True)
                print(f"{os.path.basename(path)}  {os.path.getsize(path)} bytes")
        else:
            status = etv.main(["--size", "full", "--family", family, "--opset", "17", "--arch", *archs])
            if status:
                sys.exit(status)


# integer arithmetic of the shape sub-graphs exporters write (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, the
# class token's ConstantOfShape -> Equal -> Where -> Expand, Swin's padding with Mod)
SHAPE_OPS = {
    "Gather": lambda n, x, a: np.take(x[0], x[1], axis=a.get("axis", 0)),
    "Unsqueeze": lambda n, x, a: np.expand_dims(x[0], tuple(int(i) for i in (x[1] if len(x) > 1 else a["axes"]))),
    "Squeeze": lambda n, x, a: np.squeeze(x[0], tuple(int(i) for i in (x[1] if len(x) > 1 else a["axes"])))
    if len(x) > 1 or "axes" in a else np.squeeze(x[0]),
    "Concat": lambda n, x, a: np.concatenate(x, axis=a["axis"]),
    "Cast": lambda n, x, a: x[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]]),
    "Add": lambda n, x, a: x[0] + x[1],
    "Sub": lambda n, x, a: x[0] - x[1],
    "Mul": lambda n, x, a: x[0] * x[1],
    "Div": lambda n, x, a: (np.trunc(x[0] / x[1]).astype(x[0].dtype)
                            if np.issubdtype(x[0].dtype, np.integer) else x[0] / x[1]),
    "Mod": lambda n, x, a: np.fmod(x[0], x[1]) if a.get("fmod", 0) else np.mod(x[0], x[1]),
    "Neg": lambda n, x, a: -x[0],
    "Max": lambda n, x, a: np.maximum(x[0], x[1]),
    "Min": lambda n, x, a: np.minimum(x[0], x[1]),
    "Equal": lambda n, x, a: np.equal(x[0], x[1]),
    "Less": lambda n, x, a: np.less(x[0], x[1]),
    "Greater": lambda n, x, a: np.greater(x[0], x[1]),
    "Not": lambda n, x, a: np.logical_not(x[0]),
    "Where": lambda n, x, a: np.where(x[0], x[1], x[2]),
    "Range": lambda n, x, a: np.arange(x[0], x[1], x[2]).astype(x[0].dtype),
    "Reshape": lambda n, x, a: x[0].reshape([x[0].shape[i] if v == 0 else v for i, v in enumerate(x[1])]),
    "Expand": lambda n, x, a: x[0] * np.ones(x[1], dtype=x[0].dtype),
    "Identity": lambda n, x, a: x[0],
    "Transpose": lambda n, x, a: np.transpose(x[0], a.get("perm")),
    "Floor": lambda n, x, a: np.floor(x[0]),
    "Ceil": lambda n, x, a: np.ceil(x[0]),
    "ReduceProd": lambda n, x, a: np.prod(x[0], keepdims=bool(a.get("keepdims", 1))),
    "Slice": lambda n, x, a: x[0][tuple(
        slice(None) if i not in list(x[3] if len(x) > 3 else range(len(x[1])))
        else slice(int(x[1][list(x[3] if len(x) > 3 else range(len(x[1]))).index(i)]),
                   int(x[2][list(x[3] if len(x) > 3 else range(len(x[1]))).index(i)]),
                   int(x[4][list(x[3]).index(i)]) if len(x) > 4 else 1)
        for i in range(x[0].ndim))],
}


def fold_shape_computations(model):
    """Evaluates, with numpy, every node whose inputs are known integers (or, for Shape, whose input's shape is
    static), replaces it by initializers and infers shapes again, until nothing changes. onnx 1.12's own data
    propagation leaves the Reshape targets of attention unresolved."""
    for _ in range(100):
        inferred = shape_inference.infer_shapes(model)
        static = {}
        for v in list(inferred.graph.value_info) + list(inferred.graph.input):
            tt = v.type.tensor_type
            if tt.HasField("shape") and all(d.HasField("dim_value") for d in tt.shape.dim):
                static[v.name] = [d.dim_value for d in tt.shape.dim]
        known = {}
        for t in model.graph.initializer:
            if t.data_type in INTEGER_TYPES:
                known[t.name] = numpy_helper.to_array(t)
        kept, folded = [], []
        for n in model.graph.node:
            value = None
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
            if n.op_type == "Constant" and "value" in attrs and attrs["value"].data_type in INTEGER_TYPES:
                value = numpy_helper.to_array(attrs["value"])
            elif n.op_type == "Shape" and n.input[0] in static:
                dims = static[n.input[0]]
                value = np.array(dims[attrs.get("start", 0):attrs.get("end", len(dims))], dtype=np.int64)
            elif n.op_type == "ConstantOfShape" and n.input[0] in known:
                fill = numpy_helper.to_array(attrs["value"]) if "value" in attrs else np.zeros(1, np.float32)
                if fill.dtype.kind in "iub" and np.prod(known[n.input[0]]) <= 1_000_000:
                    value = np.full(known[n.input[0]], fill.reshape(-1)[0], dtype=fill.dtype)
            elif n.op_type in SHAPE_OPS and all(i == "" or i in known for i in n.input) and len(n.output) == 1:
                value = SHAPE_OPS[n.op_type](n, [known[i] for i in n.input if i != ""], attrs)
            if value is None:
                kept.append(n)
                continue
            value = np.asarray(value)
            known[n.output[0]] = value
            folded.append(numpy_helper.from_array(value, n.output[0]))
        if not folded:
            return model
        del model.graph.node[:]
        model.graph.node.extend(kept)
        model.graph.initializer.extend(folded)
        names = {t.name for t in folded}
        kept_info = [v for v in model.graph.value_info if v.name not in names]
        del model.graph.value_info[:]
        model.graph.value_info.extend(kept_info)
    raise SystemExit("shape sub-graphs did not settle in 100 rounds")


def weights_as_inputs(model):
    """Float weights become graph inputs of their shape: shape inference needs their dims, not their bytes, and
    copies the whole model on every call."""
    weights = [t for t in model.graph.initializer if t.data_type not in INTEGER_TYPES]
    kept = [t for t in model.graph.initializer if t.data_type in INTEGER_TYPES]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    model.graph.input.extend(onnx.helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in weights)
    return model


def with_batch_one(model):
    for value in model.graph.input:
        dims = value.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].ClearField("dim_param")
            dims[0].dim_value = 1
    return model


def count_macs(path):
    model = fold_shape_computations(weights_as_inputs(with_batch_one(onnx.load(path))))
    inferred = shape_inference.infer_shapes(model)
    shapes = {t.name: list(t.dims) for t in inferred.graph.initializer}
    for v in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        if v.type.tensor_type.HasField("shape"):
            shapes[v.name] = [d.dim_value if d.HasField("dim_value") else None for d in v.type.tensor_type.shape.dim]
    assumed = 0

    def dims(tensor, node):
        nonlocal assumed
        d = shapes.get(tensor)
        if d is None or not d:
            raise SystemExit(f"{path}: no shape for '{tensor}' of node {node.name} ({node.op_type})")
        if d[0] is None:
            d = [1] + d[1:]
            assumed += 1
        if None in d:
            raise SystemExit(f"{path}: shape {d} of '{tensor}' of node {node.name} ({node.op_type}) is not static")
        return d

    def prod(xs):
        p = 1
        for x in xs:
            p *= x
        return p

    def attr(node, name, default):
        for a in node.attribute:
            if a.name == name:
                return onnx.helper.get_attribute_value(a)
        return default

    macs = 0
    by_op = {}
    for n in inferred.graph.node:
        if n.op_type == "Conv":
            w = dims(n.input[1], n)
            m = prod(dims(n.output[0], n)) * prod(w[1:])  # every output element: Cin/group x kernel
        elif n.op_type == "ConvTranspose":
            w = dims(n.input[1], n)
            m = prod(dims(n.input[0], n)) * prod(w[1:])  # every input element: Cout/group x kernel
        elif n.op_type == "Gemm":
            a = dims(n.input[0], n)
            k = a[0] if attr(n, "transA", 0) else a[1]
            m = prod(dims(n.output[0], n)) * k
        elif n.op_type == "MatMul":
            a = dims(n.input[0], n)
            m = prod(dims(n.output[0], n)) * a[-1]
        else:
            continue
        macs += m
        by_op[n.op_type] = by_op.get(n.op_type, 0) + m
    return {"macs": macs, "byOp": by_op, "assumedBatchAxes": assumed}


def output_dims(path):
    """The first graph output's declared dims, its dynamic batch as None."""
    model = onnx.load(path, load_external_data=False)
    return [d.dim_value if d.HasField("dim_value") else None
            for d in model.graph.output[0].type.tensor_type.shape.dim]


def row(name, original, out_dir):
    """Reads what the bars script left for one model: prune.err, report.json, seconds, pruned.onnx, shapes.out."""
    def read(file):
        p = os.path.join(out_dir, file)
        return open(p).read().strip() if os.path.exists(p) else None

    seconds = read("prune.seconds")
    status = read("prune.status")
    if status is None:
        return f"| {name} | not run | | | |", False
    if status != "0":
        err = (read("prune.err") or "").splitlines()
        reason = next((l for l in err if l.startswith("error:")), err[-1] if err else f"exit {status}")
        reason = reason.replace("error: ", "", 1).replace("|", "\\|")
        return f"| {name} | refused: {reason} | | | {seconds} s |", False
    before = count_macs(original)
    after = count_macs(os.path.join(out_dir, "pruned.onnx"))
    ratio = after["macs"] / before["macs"]
    shears = json.load(open(os.path.join(out_dir, "report.json")))
    expected = output_dims(original)
    runs = {}
    for line in (read("shapes.out") or "").splitlines():
        fields = dict(f.split("=", 1) for f in line.split(" ", 1))
        runs[fields["batch"]] = fields
    ok = []
    for batch in ("1", "2"):
        want = "x".join(str(int(batch) if d is None else d) for d in expected)
        got = runs.get(batch, {}).get("output")
        ok.append(f"batch {batch}: " + ("ok" if got == want else f"WRONG ({got or runs.get(batch, {}).get('error', 'not run')}, want {want})"))
    in_bar = 0.49 <= ratio <= 0.50
    all_ok = in_bar and all(o.endswith(": ok") for o in ok)
    result = (f"pruned: {shears['pruned']['macs'] / shears['original']['macs']:.4f} by Shears' count")
    return (f"| {name} | {result} | {ratio:.4f} ({before['macs'] / 1e9:.2f} → {after['macs'] / 1e9:.2f} GMACs)"
            f"{'' if in_bar else ' OUT OF [0.49, 0.50]'} | {', '.join(ok)} | {seconds} s |"), all_ok


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    command, args = argv[0], argv[1:]
    if command == "models":
        for name, (file, _) in MODELS.items():
            print(f"{name}\t{file}")
    elif command == "export":
        export(args or list(MODELS))
    elif command == "macs":
        print(json.dumps(count_macs(args[0])))
    elif command == "row":
        line, ok = row(*args)
        print(line)
        return 0 if ok else 3
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
