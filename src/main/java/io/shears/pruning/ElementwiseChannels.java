package io.shears.pruning;

import io.shears.graph.Node;

import java.util.Map;
import java.util.Set;

/**
 * Operators that act on each element. Unary ones pass channels through; with several inputs, channels on the same
 * axis are joined, a per-channel constant is bound to them, and a residual Add marks the representation (which scope
 * {@code filters} keeps whole).
 */
final class ElementwiseChannels {
    private static final Set<String> MERGING = Set.of("Add", "Sub", "Sum", "Max", "Min", "Mean");

    private ElementwiseChannels() {
    }

    static void register(Map<String, ChannelRule> rules) {
        ChannelRule passThrough = ElementwiseChannels::passThrough;
        for (String op : new String[] {"Relu", "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",
                "Erf", "Elu", "Selu", "Celu", "Gelu", "Mish", "Softplus", "Softsign", "ThresholdedRelu", "Exp", "Log",
                "Sqrt", "Neg", "Abs", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Identity",
                "Dropout", "Cast", "Not", "IsNaN", "Shrink"}) {
            rules.put(op, passThrough);
        }
        ChannelRule joining = ElementwiseChannels::join;
        for (String op : new String[] {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Sum", "Mean", "PRelu",
                "Mod", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"}) {
            rules.put(op, joining);
        }
        rules.put("Where", ElementwiseChannels::join);
        rules.put("Softmax", ElementwiseChannels::normalizing);
        rules.put("LogSoftmax", ElementwiseChannels::normalizing);
        rules.put("Hardmax", ElementwiseChannels::normalizing);
        rules.put("LRN", (node, ctx) -> {
            ctx.freezeInputs(node, "LRN normalises across channels");
            passThrough(node, ctx);
        });
    }

    static void passThrough(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in != null) {
            ctx.setLayout(node.output(0), in.axis(), in.atoms());
        }
    }

    /** Softmax over the channel axis would change every value when a channel goes, so that axis is frozen. */
    static void normalizing(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        int rank = ctx.dims(node.input(0)).length;
        long axis = node.attrInt("axis", ctx.graph().opset() < 13 ? 1 : -1);
        int a = (int) (axis < 0 ? axis + rank : axis);
        boolean overChannels = ctx.graph().opset() < 13 ? in.axis() >= a : in.axis() == a;
        if (overChannels) {
            ctx.freeze(in, "node " + node + ": " + node.op() + " normalises over the channel axis");
        }
        ctx.setLayout(node.output(0), in.axis(), in.atoms());
    }

    static void join(Node node, ChannelContext ctx) {
        long[] out = ctx.dims(node.output(0));
        int rank = out.length;
        Layout reference = null;
        int outAxis = -1;
        for (String in : node.inputs()) {
            Layout l = ctx.layout(in);
            if (l == null) {
                continue;
            }
            int axis = l.axis() + rank - ctx.dims(in).length;
            if (reference == null || reference.size() == 1 && l.size() > 1) {
                reference = l;
                outAxis = axis;
            }
        }
        if (reference == null) {
            return;
        }
        int channels = reference.size();
        int tracked = 0;
        for (int i = 0; i < node.inputCount(); i++) {
            String in = node.input(i);
            if (in.isEmpty()) {
                continue;
            }
            long[] d = ctx.isWeight(in) && ctx.layout(in) == null ? ctx.graph().weightDims(in) : ctx.dims(in);
            int axis = outAxis - (rank - d.length);
            long size = axis >= 0 ? d[axis] : 1;
            Layout l = ctx.layout(in);
            if (l != null) {
                if (l.axis() == axis && l.size() == channels) {
                    tracked++;
                    if (l != reference) {
                        ctx.union(reference.atoms(), l.atoms());
                    }
                } else if (size != 1 || l.size() != 1) {
                    ctx.freeze(l, "node " + node + ": inputs carry channels on different axes");
                    ctx.freeze(reference, "node " + node + ": inputs carry channels on different axes");
                }
            } else if (size == channels && channels > 1) {
                if (ctx.isWeight(in)) {
                    ctx.bindWeight(node, in, axis, reference.atoms(), WeightRole.PER_CHANNEL);
                } else if (!bindBroadcastWeight(ctx, in, axis, reference.atoms())) {
                    ctx.freeze(reference, "node " + node + ": input '" + in
                            + "' has per-channel values that are computed from something Shears does not track");
                }
            }
        }
        if (tracked > 1 && MERGING.contains(node.op()) && ctx.scope() == Scope.FILTERS) {
            ctx.freeze(reference, "residual " + node.op() + " " + node + " keeps the representation's width (scope filters)");
        }
        ctx.setLayout(node.output(0), outAxis, reference.atoms());
    }

    /**
     * Binds the stored tensor that an Expand broadcasts to the batch (a class or distillation token) when the Expand
     * does not spell out the channel count, so the stored tensor carries the channels itself; false for anything else.
     */
    private static boolean bindBroadcastWeight(ChannelContext ctx, String tensor, int axis, int[] channelAtoms) {
        Node expand = ctx.graph().producer(tensor);
        if (expand == null || !expand.op().equals("Expand") || !ctx.isWeight(expand.input(0))) {
            return false;
        }
        long[] shape = ctx.intValue(expand.input(1));
        int rank = ctx.dims(tensor).length;
        int weightAxis = axis - (rank - ctx.graph().weightDims(expand.input(0)).length);
        int shapeAxis = shape == null ? -1 : axis - (rank - shape.length);
        if (shape == null || weightAxis < 0 || shapeAxis >= 0 && shape[shapeAxis] != 1) {
            return false;
        }
        ctx.bindWeight(expand, expand.input(0), weightAxis, channelAtoms, WeightRole.PER_CHANNEL);
        return true;
    }
}
