package io.shears.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Structural rules every model Shears reads or writes must obey, independent of any runtime: nodes are in
 * topological order, each tensor is defined exactly once, names are unique and raw tensor data matches its dims.
 * Returns the violations instead of throwing so a test can show all of them at once.
 */
public final class GraphInvariants {
    private GraphInvariants() {
    }

    public static List<String> violations(ModelProto model) {
        GraphProto graph = model.getGraph();
        List<String> violations = new ArrayList<>();
        Set<String> defined = new HashSet<>();
        for (ValueInfoProto input : graph.getInputList()) {
            define(input.getName(), "graph input", defined, violations);
        }
        for (TensorProto initializer : graph.getInitializerList()) {
            define(initializer.getName(), "initializer", defined, violations);
            checkRawDataSize(initializer, "initializer " + initializer.getName(), violations);
        }
        Set<String> nodeNames = new HashSet<>();
        for (NodeProto node : graph.getNodeList()) {
            String label = node.getOpType() + " node '" + node.getName() + "'";
            if (node.getName().isEmpty()) {
                violations.add(node.getOpType() + " node has no name");
            } else if (!nodeNames.add(node.getName())) {
                violations.add("node name '" + node.getName() + "' is used twice");
            }
            for (String input : node.getInputList()) {
                // An empty name is how ONNX leaves out an optional input.
                if (!input.isEmpty() && !defined.contains(input)) {
                    violations.add(label + " reads '" + input + "' before anything defines it");
                }
            }
            for (String output : node.getOutputList()) {
                define(output, label + " output", defined, violations);
            }
            node.getAttributeList().stream().filter(AttributeProto::hasT).forEach(attribute ->
                    checkRawDataSize(attribute.getT(), label + " attribute " + attribute.getName(), violations));
        }
        for (ValueInfoProto output : graph.getOutputList()) {
            if (!defined.contains(output.getName())) {
                violations.add("graph output '" + output.getName() + "' is never defined");
            }
        }
        return violations;
    }

    private static void define(String name, String what, Set<String> defined, List<String> violations) {
        if (name.isEmpty()) {
            violations.add(what + " has an empty name");
        } else if (!defined.add(name)) {
            violations.add(what + " '" + name + "' redefines a tensor");
        }
    }

    /** Byte width of the element types tests use; 0 for the rest, which are then not checked. */
    private static int elementBytes(int dataType) {
        TensorProto.DataType type = TensorProto.DataType.forNumber(dataType);
        if (type == null) {
            return 0;
        }
        return switch (type) {
            case FLOAT, INT32 -> 4;
            case INT64, DOUBLE -> 8;
            case FLOAT16, BFLOAT16 -> 2;
            default -> 0;
        };
    }

    private static void checkRawDataSize(TensorProto tensor, String what, List<String> violations) {
        if (tensor.getRawData().isEmpty()) {
            return;
        }
        int elementBytes = elementBytes(tensor.getDataType());
        long elements = tensor.getDimsList().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
        if (elementBytes > 0 && tensor.getRawData().size() != elements * elementBytes) {
            violations.add(what + " holds " + tensor.getRawData().size() + " bytes for dims "
                    + tensor.getDimsList() + " of " + elementBytes + "-byte elements");
        }
    }
}
