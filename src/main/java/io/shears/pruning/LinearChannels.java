package io.shears.pruning;

import io.shears.graph.Graph;
import io.shears.graph.Node;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Gemm and MatMul with a stored weight: input features are bound to the weight's K axis (after Flatten each channel
 * owns its block of H×W features), output features are a new group. The first projection's outputs, whatever
 * elementwise activation follows, and the second projection's inputs are therefore one group: an MLP's hidden width.
 */
final class LinearChannels {
    private LinearChannels() {
    }

    static void register(Map<String, ChannelRule> rules) {
        rules.put("Gemm", LinearChannels::gemm);
        rules.put("MatMul", LinearChannels::matMul);
        rules.put("Einsum", (node, ctx) -> ctx.freezeInputs(node, "Einsum contracts or moves channels in a way "
                + "Shears does not trace yet"));
    }

    private static void bindFeatures(Node node, ChannelContext ctx, Layout in, String weight, int kAxis) {
        if (ctx.isWeight(weight)) {
            ctx.bindWeight(node, weight, kAxis, in.atoms(), WeightRole.INPUT);
        } else {
            ctx.freeze(in, "node " + node + ": the weight '" + weight + "' is computed at run time");
        }
        if (ctx.scope() == Scope.FILTERS && feedsClassifier(node, ctx, in)) {
            ctx.freeze(in, "features feeding the classifier " + node + " keep their width (scope filters)");
        }
    }

    /**
     * Scope filters keeps the representation a classifier reads: the input of the last linear layer before a graph
     * output, and per-sample features (no spatial or token axis left) that something other than a linear layer
     * produced, such as pooled convolution filters or a transformer's class token. Any other linear layer's input is
     * a block's inner width (a transformer MLP's hidden width, a hidden width of a classifier MLP), which scope
     * filters prunes like the inner filters of a bottleneck.
     */
    private static boolean feedsClassifier(Node node, ChannelContext ctx, Layout in) {
        long[] dims = ctx.dims(node.input(0));
        boolean perSample = dims == null || dims.length == 2;
        return perSample && !ctx.createdBy(in, ChannelAtoms.Origin.FEATURES) || isLastLayer(node, ctx.graph());
    }

    /** True when the node's output reaches a graph output without passing through another weighted layer. */
    private static boolean isLastLayer(Node node, Graph graph) {
        Deque<String> pending = new ArrayDeque<>(node.outputs());
        Set<String> seen = new HashSet<>(pending);
        while (!pending.isEmpty()) {
            String tensor = pending.pop();
            if (graph.isOutput(tensor)) {
                return true;
            }
            for (Node consumer : graph.consumers(tensor)) {
                if (ChannelAnalyzer.WEIGHTED_MAC_OPS.contains(consumer.op())) {
                    continue;
                }
                for (String out : consumer.outputs()) {
                    if (!out.isEmpty() && seen.add(out)) {
                        pending.push(out);
                    }
                }
            }
        }
        return false;
    }

    static void gemm(Node node, ChannelContext ctx) {
        boolean transA = node.attrInt("transA", 0) != 0;
        boolean transB = node.attrInt("transB", 0) != 0;
        String b = node.input(1);
        Layout in = ctx.layout(node.input(0));
        if (in != null) {
            if (in.axis() == (transA ? 0 : 1)) {
                bindFeatures(node, ctx, in, b, transB ? 1 : 0);
            } else {
                ctx.freeze(in, "node " + node + ": channels on the batch axis of a Gemm");
            }
        }
        if (ctx.layout(b) != null) {
            ctx.freeze(ctx.layout(b), "node " + node + ": Gemm over two activations");
        }
        if (!ctx.isWeight(b)) {
            return;
        }
        int[] out = ctx.producerAtoms(node, b, transB ? 0 : 1, ChannelAtoms.Origin.FEATURES, WeightRole.OUTPUT);
        String c = node.input(2);
        if (!c.isEmpty()) {
            long[] cd = ctx.isWeight(c) ? ctx.graph().weightDims(c) : ctx.dims(c);
            boolean perFeature = cd.length > 0 && cd[cd.length - 1] == out.length && out.length > 1;
            if (perFeature && ctx.isWeight(c)) {
                ctx.bindWeight(node, c, cd.length - 1, out, WeightRole.BIAS);
            } else if (perFeature || ctx.layout(c) != null) {
                ctx.freeze(out, "node " + node + ": bias is computed at run time");
            }
        }
        ctx.setLayout(node.output(0), 1, out);
    }

    static void matMul(Node node, ChannelContext ctx) {
        String b = node.input(1);
        Layout in = ctx.layout(node.input(0));
        long[] a = ctx.dims(node.input(0));
        long[] y = ctx.dims(node.output(0));
        if (ctx.layout(b) != null) {
            ctx.freeze(ctx.layout(b), "node " + node + ": MatMul over two activations");
        }
        boolean storedMatrix = ctx.isWeight(b) && ctx.graph().weightDims(b).length == 2 && a.length >= 2;
        // A tensor carries one channel axis. Channels that arrive on another axis than the one contracted (a token
        // axis taken for channels) and are kept whole anyway give way to the projection's own outputs.
        if (in != null && in.axis() != a.length - 1 && storedMatrix && ctx.frozen(in)) {
            in = null;
        }
        if (in != null && in.axis() != a.length - 1) {
            if (in.axis() < a.length - 2 || in.axis() == a.length - 2 && a.length >= 2) {
                ctx.setLayout(node.output(0), in.axis() + (y.length - a.length), in.atoms());
            } else {
                ctx.freeze(in, "node " + node + ": channels on an axis MatMul contracts in a way Shears does not follow");
            }
            return;
        }
        if (in != null) {
            if (storedMatrix) {
                bindFeatures(node, ctx, in, b, 0);
            } else {
                ctx.freeze(in, "node " + node + ": MatMul with a computed or batched right-hand side");
            }
        }
        if (storedMatrix) {
            int[] out = ctx.producerAtoms(node, b, 1, ChannelAtoms.Origin.FEATURES, WeightRole.OUTPUT);
            ctx.setLayout(node.output(0), y.length - 1, out);
        }
    }
}
