package io.shears.graph;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.onnx.InvalidModelException;
import io.shears.onnx.ModelProblem;

/** Reads the value of a Constant node, whichever of its attribute forms it uses, as a tensor. */
final class ConstantValues {
    private ConstantValues() {
    }

    static TensorProto of(Node node) {
        String name = node.output(0);
        for (AttributeProto a : node.proto().getAttributeList()) {
            switch (a.getName()) {
                case "value":
                    return a.getT().toBuilder().setName(name).build();
                case "value_float":
                    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                            .addFloatData(a.getF()).build();
                case "value_floats":
                    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                            .addDims(a.getFloatsCount()).addAllFloatData(a.getFloatsList()).build();
                case "value_int":
                    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                            .addInt64Data(a.getI()).build();
                case "value_ints":
                    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                            .addDims(a.getIntsCount()).addAllInt64Data(a.getIntsList()).build();
                default:
                    break;
            }
        }
        throw new InvalidModelException(ModelProblem.UNSUPPORTED_OPERATOR,
                "Constant node " + node + " has no value attribute that Shears reads (sparse_value or strings)");
    }
}
