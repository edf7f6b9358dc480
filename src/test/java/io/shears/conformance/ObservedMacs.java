package io.shears.conformance;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.onnx.ModelWriter;
import io.shears.testing.OrtRunner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MACs counted without Shears' shape inference or cost model: every Conv, Gemm and MatMul output is exposed as a
 * graph output, ONNX Runtime runs the model, and each node's MACs are taken from the output shape it actually
 * produced and the dimensions of its stored weight (Conv: output elements × Cin/group × kernel; Gemm and MatMul:
 * output elements × the contracted dimension). A MatMul between two activations (attention's Q·Kᵀ and A·V) takes
 * the contracted dimension from the shape ONNX Runtime produces for its right-hand side; Conv and Gemm need stored
 * weights, which holds for the fixtures.
 */
final class ObservedMacs {
    private ObservedMacs() {
    }

    static long count(ModelProto model, float[] input, long[] inputShape) {
        GraphProto graph = model.getGraph();
        Map<String, List<Long>> weightDims = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            weightDims.put(t.getName(), t.getDimsList());
        }
        Map<String, String> identity = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("Constant")) {
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("value")) {
                        weightDims.put(n.getOutput(0), a.getT().getDimsList());
                    }
                }
            } else if (n.getOpType().equals("Identity")) {
                identity.put(n.getOutput(0), n.getInput(0));
            }
        }
        Map<String, NodeProto> macNodes = new LinkedHashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            if (n.getDomain().isEmpty() && List.of("Conv", "ConvTranspose", "Gemm", "MatMul").contains(n.getOpType())) {
                macNodes.put(n.getOutput(0), n);
            }
        }
        List<String> computedRight = new ArrayList<>();
        for (NodeProto n : macNodes.values()) {
            if (n.getOpType().equals("MatMul") && dims(weightDims, identity, n.getInput(1)) == null) {
                computedRight.add(n.getInput(1));
            }
        }
        GraphProto.Builder exposed = graph.toBuilder();
        for (String out : java.util.stream.Stream.concat(macNodes.keySet().stream(), computedRight.stream())
                .distinct().toList()) {
            if (graph.getOutputList().stream().noneMatch(o -> o.getName().equals(out))) {
                exposed.addOutput(ValueInfoProto.newBuilder().setName(out).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
        }
        Map<String, OrtRunner.Output> outputs = OrtRunner.runAll(
                ModelWriter.toBytes(model.toBuilder().setGraph(exposed).build()), input, inputShape);
        long total = 0;
        for (Map.Entry<String, NodeProto> e : macNodes.entrySet()) {
            NodeProto n = e.getValue();
            long[] out = outputs.get(e.getKey()).shape();
            long elements = 1;
            for (long d : out) {
                elements *= d;
            }
            List<Long> w = dims(weightDims, identity, n.getInput(1));
            if (w == null && n.getOpType().equals("MatMul")) {
                w = java.util.Arrays.stream(outputs.get(n.getInput(1)).shape()).boxed().toList();
            }
            if (w == null) {
                throw new IllegalStateException(n.getOpType() + " '" + n.getName() + "' has no stored weight");
            }
            long perOutput;
            switch (n.getOpType()) {
                case "Conv" -> {
                    perOutput = w.get(1);
                    for (int i = 2; i < w.size(); i++) {
                        perOutput *= w.get(i);
                    }
                }
                case "Gemm" -> perOutput = attrInt(n, "transB") == 1 ? w.get(1) : w.get(0);
                case "MatMul" -> perOutput = w.get(w.size() - 2);
                default -> throw new IllegalStateException("not counted: " + n.getOpType());
            }
            total += elements * perOutput;
        }
        return total;
    }

    private static List<Long> dims(Map<String, List<Long>> weights, Map<String, String> identity, String name) {
        String n = name;
        for (int hops = 0; hops < 16 && n != null; hops++) {
            if (weights.containsKey(n)) {
                return weights.get(n);
            }
            n = identity.get(n);
        }
        return null;
    }

    private static long attrInt(NodeProto n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).mapToLong(AttributeProto::getI)
                .findFirst().orElse(0);
    }
}
