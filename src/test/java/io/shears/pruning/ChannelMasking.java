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
 * A LayerNormalization over cut channels takes its statistics over the channels kept, as the cut model's does.
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
        maskNormalizations(graph, analysis, pruned);
        return model.toBuilder().setGraph(graph).build();
    }

    /**
     * Replaces each LayerNormalization whose channels are cut by the same computation with its mean and variance over
     * the kept channels only: m = mask, k = kept count; mean = Σ(x·m)/k; d = (x − mean)·m; var = Σd²/k;
     * y = d / √(var + ε) · scale + bias.
     */
    private static void maskNormalizations(ai.onnx.proto.OnnxMl.GraphProto.Builder graph, ChannelAnalysis analysis,
                                           boolean[] pruned) {
        for (int i = graph.getNodeCount() - 1; i >= 0; i--) {
            NodeProto ln = graph.getNode(i);
            if (!ln.getOpType().equals("LayerNormalization") || ln.getOutputCount() > 1) {
                continue;
            }
            Layout in = analysis.layouts().get(ln.getInput(0));
            if (in == null) {
                continue;
            }
            float[] mask = new float[in.size()];
            int kept = 0;
            for (int c = 0; c < mask.length; c++) {
                mask[c] = pruned[analysis.classOf(in.atoms()[c])] ? 0f : 1f;
                kept += (int) mask[c];
            }
            if (kept == mask.length) {
                continue;
            }
            float epsilon = ln.getAttributeList().stream().filter(a -> a.getName().equals("epsilon"))
                    .map(a -> a.getF()).findFirst().orElse(1e-5f);
            String p = "mask/" + i + "/";
            graph.addInitializer(TensorValues.floatTensor(p + "m", new long[] {mask.length}, mask));
            graph.addInitializer(TensorValues.floatTensor(p + "k", new long[] {}, new float[] {kept}));
            graph.addInitializer(TensorValues.floatTensor(p + "eps", new long[] {}, new float[] {epsilon}));
            graph.addInitializer(TensorValues.longTensor(p + "axes", new long[] {1}, new long[] {-1}));
            String x = ln.getInput(0);
            boolean bias = ln.getInputCount() > 2 && !ln.getInput(2).isEmpty();
            java.util.List<NodeProto> nodes = java.util.List.of(
                    op("Mul", p + "xm", x, p + "m"),
                    reduceSum(p + "sum", p + "xm", p + "axes"),
                    op("Div", p + "mean", p + "sum", p + "k"),
                    op("Sub", p + "centred", x, p + "mean"),
                    op("Mul", p + "d", p + "centred", p + "m"),
                    op("Mul", p + "d2", p + "d", p + "d"),
                    reduceSum(p + "sum2", p + "d2", p + "axes"),
                    op("Div", p + "var", p + "sum2", p + "k"),
                    op("Add", p + "vare", p + "var", p + "eps"),
                    op("Sqrt", p + "std", p + "vare"),
                    op("Div", p + "normed", p + "d", p + "std"),
                    op("Mul", bias ? p + "scaled" : ln.getOutput(0), p + "normed", ln.getInput(1)));
            graph.removeNode(i);
            int at = i;
            for (NodeProto n : nodes) {
                graph.addNode(at++, n);
            }
            if (bias) {
                graph.addNode(at, op("Add", ln.getOutput(0), p + "scaled", ln.getInput(2)));
            }
        }
    }

    private static NodeProto op(String type, String output, String... inputs) {
        return NodeProto.newBuilder().setOpType(type).setName(output).addAllInput(java.util.List.of(inputs))
                .addOutput(output).build();
    }

    private static NodeProto reduceSum(String output, String input, String axes) {
        return NodeProto.newBuilder().setOpType("ReduceSum").setName(output).addInput(input).addInput(axes)
                .addOutput(output).addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("keepdims")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(1)).build();
    }
}
