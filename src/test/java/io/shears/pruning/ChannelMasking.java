package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.onnx.TensorValues;

import java.util.HashMap;
import java.util.Map;

/**
 * The reference for surgery: instead of removing channels, zero every slice that produces them (filters, biases, BN
 * scale and shift, per-channel constants), so that each removed channel is exactly zero after a ReLU-family
 * activation and its consumers' input slices multiply zeros. The masked model must compute what the cut model does.
 */
final class ChannelMasking {
    private ChannelMasking() {
    }

    static ModelProto zeroChannels(ChannelAnalysis analysis, boolean[] pruned) {
        Map<String, float[]> values = new HashMap<>();
        Map<String, TensorProto> originals = new HashMap<>();
        for (WeightAxis w : analysis.weightAxes()) {
            if (w.roles.stream().allMatch(r -> r == WeightRole.INPUT)) {
                continue;
            }
            TensorProto t = analysis.graph().weight(w.source);
            originals.putIfAbsent(w.source, t);
            float[] v = values.computeIfAbsent(w.source, k -> TensorValues.floats(t));
            long[] dims = TensorValues.dims(t);
            int inner = 1;
            for (int i = w.axis + 1; i < dims.length; i++) {
                inner *= (int) dims[i];
            }
            int length = (int) dims[w.axis];
            for (int i = 0; i < v.length; i++) {
                int k = (i / inner) % length;
                if (pruned[analysis.classOf(w.atoms[k])]) {
                    v[i] = 0f;
                }
            }
        }
        ModelProto model = analysis.graph().model();
        var graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            String name = graph.getInitializer(i).getName();
            if (values.containsKey(name)) {
                graph.setInitializer(i, TensorValues.floatTensor(name, TensorValues.dims(originals.get(name)),
                        values.get(name)));
            }
        }
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            if (node.getOpType().equals("Constant") && values.containsKey(node.getOutput(0))) {
                TensorProto t = TensorValues.floatTensor(node.getAttribute(0).getT().getName(),
                        TensorValues.dims(originals.get(node.getOutput(0))), values.get(node.getOutput(0)));
                graph.setNode(i, node.toBuilder().setAttribute(0, node.getAttribute(0).toBuilder().setT(t)));
            }
        }
        return model.toBuilder().setGraph(graph).build();
    }
}
