#!/usr/bin/python3
"""Count a model's MACs independently of Shears: ONNX's own shape inference, then per node
Conv  N*C_out*H_out*W_out * (C_in/group)*kH*kW,  ConvTranspose  N*C_in*H_in*W_in * (C_out/group)*kH*kW,
Gemm  M*N*K,  MatMul  (elements of the output) * K.

    /usr/bin/python3 bench/models/count_macs.py MODEL.onnx [--batch B]

Prints one line: ``macs=<n> output=<shape at batch B>``. The batch dimension of the first input is set to B
(default 1, as Shears counts).
"""

import argparse
import math

import onnx
from onnx import numpy_helper, shape_inference


def dims(value_info):
    return [d.dim_value for d in value_info.type.tensor_type.shape.dim]


def count(path, batch):
    model = onnx.load(path)
    model.graph.input[0].type.tensor_type.shape.dim[0].dim_value = batch
    for out in model.graph.output:
        out.type.tensor_type.shape.dim[0].dim_param = "batch"
    model = shape_inference.infer_shapes(model)
    shapes = {v.name: dims(v) for v in list(model.graph.value_info) + list(model.graph.input)
              + list(model.graph.output)}
    for init in model.graph.initializer:
        shapes[init.name] = list(init.dims)
    macs = 0
    for node in model.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Conv":
            w = shapes[node.input[1]]
            macs += math.prod(shapes[node.output[0]]) * math.prod(w[1:])
        elif node.op_type == "ConvTranspose":
            w = shapes[node.input[1]]
            macs += math.prod(shapes[node.input[0]]) * math.prod(w[1:])
        elif node.op_type == "Gemm":
            a = shapes[node.input[0]]
            k = a[0] if attrs.get("transA", 0) else a[1]
            macs += math.prod(shapes[node.output[0]]) * k
        elif node.op_type == "MatMul":
            macs += math.prod(shapes[node.output[0]]) * shapes[node.input[0]][-1]
    return macs, shapes[model.graph.output[0].name]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model")
    p.add_argument("--batch", type=int, default=1)
    args = p.parse_args()
    macs, output = count(args.model, args.batch)
    print(f"macs={macs} output={output}")


if __name__ == "__main__":
    main()
