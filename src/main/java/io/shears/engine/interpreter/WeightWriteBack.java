package io.shears.engine.interpreter;

import ai.djl.nn.Parameter;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.graph.Graph;

import java.util.Map;

/**
 * Writes the current values of a block's parameters into a copy of its ONNX model: each initializer and each
 * Constant node that the block owns gets its value as float32 raw_data, under the same name and dims. Everything else
 * in the model is kept as it was.
 */
final class WeightWriteBack {
    private WeightWriteBack() {
    }

    static ModelProto export(Graph graph, Map<String, Parameter> parameters) {
        ModelProto model = graph.model();
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto initializer = g.getInitializer(i);
            Parameter parameter = parameters.get(initializer.getName());
            if (parameter != null) {
                g.setInitializer(i, TensorArrays.withValues(initializer, parameter.getArray()));
            }
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto node = g.getNode(i);
            Parameter parameter = node.getOpType().equals("Constant") && node.getDomain().isEmpty()
                    ? parameters.get(node.getOutput(0)) : null;
            if (parameter != null) {
                TensorProto value = TensorArrays.withValues(graph.weight(node.getOutput(0)), parameter.getArray());
                NodeProto.Builder b = node.toBuilder().clearAttribute();
                b.addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(value));
                g.setNode(i, b);
            }
        }
        return model.toBuilder().setGraph(g).build();
    }
}
