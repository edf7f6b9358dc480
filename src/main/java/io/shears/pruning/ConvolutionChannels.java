package io.shears.pruning;

import io.shears.graph.Node;

import java.util.Arrays;
import java.util.Map;

/** Conv, ConvTranspose and the normalisations with per-channel parameters. */
final class ConvolutionChannels {
    private ConvolutionChannels() {
    }

    static void register(Map<String, ChannelRule> rules) {
        rules.put("Conv", new Conv());
        rules.put("ConvTranspose", ConvolutionChannels::convTranspose);
        rules.put("BatchNormalization", ConvolutionChannels::batchNorm);
        rules.put("InstanceNormalization", ConvolutionChannels::batchNorm);
        rules.put("LayerNormalization", ConvolutionChannels::layerNorm);
    }

    /**
     * LayerNormalization's statistics run over its normalized axes, so removing a channel there changes every other
     * channel's output. Over the embedding width alone, scope {@code channels} cuts it anyway (its scale and bias
     * lose the same channels, and the statistics are taken over the channels kept, as for a narrower model);
     * scope {@code filters} keeps that width, and a normalization over more axes than the channels' keeps them.
     */
    static void layerNorm(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        int rank = ctx.dims(node.input(0)).length;
        long first = node.attrInt("axis", -1);
        int normalizedFrom = (int) (first < 0 ? first + rank : first);
        if (in.axis() < normalizedFrom) {
            ElementwiseChannels.passThrough(node, ctx);
            return;
        }
        if (normalizedFrom != rank - 1 || in.axis() != rank - 1) {
            ctx.freeze(in, "node " + node + ": LayerNormalization normalizes across these channels and other axes");
        } else if (ctx.scope() == Scope.FILTERS) {
            ctx.freeze(in, "node " + node + ": LayerNormalization normalizes across the embedding width, which "
                    + "scope filters keeps");
        } else {
            for (int i = 1; i < node.inputCount(); i++) {
                if (!node.input(i).isEmpty()) {
                    ctx.bindWeight(node, node.input(i), 0, in.atoms(), WeightRole.PER_CHANNEL);
                }
            }
            ctx.renormalizedBy(node, in.atoms());
        }
        ElementwiseChannels.passThrough(node, ctx);
    }

    /** Depthwise means one input channel per group; the group count then follows the channel count. */
    static boolean isDepthwise(Node node, long[] x, long[] w) {
        long group = node.attrInt("group", 1);
        return group > 1 && group == x[1] && w[1] == 1;
    }

    static final class Conv implements ChannelRule {
        @Override
        public void propagate(Node node, ChannelContext ctx) {
            String w = node.input(1);
            Layout in = ctx.layout(node.input(0));
            if (!ctx.isWeight(w)) {
                ctx.freezeInputs(node, "convolution weights are computed at run time");
                return;
            }
            if (in != null && in.axis() != 1) {
                ctx.freeze(in, "node " + node + ": channels arrive on axis " + in.axis() + ", not 1");
                in = null;
            }
            long[] x = ctx.dims(node.input(0));
            long[] wd = ctx.graph().weightDims(w);
            long group = node.attrInt("group", 1);
            int[] out;
            if (group == 1) {
                out = ctx.producerAtoms(node, w, 0, ChannelAtoms.Origin.FILTERS, WeightRole.OUTPUT);
                if (in != null) {
                    ctx.bindWeight(node, w, 1, in.atoms(), WeightRole.INPUT);
                }
            } else if (isDepthwise(node, x, wd) && in != null) {
                int multiplier = (int) (wd[0] / x[1]);
                if (multiplier == 1) {
                    ctx.bindWeight(node, w, 0, in.atoms(), WeightRole.OUTPUT);
                    out = in.atoms();
                } else {
                    out = ctx.producerAtoms(node, w, 0, ChannelAtoms.Origin.FILTERS, WeightRole.OUTPUT);
                    for (int c = 0; c < in.size(); c++) {
                        for (int k = 0; k < multiplier; k++) {
                            ctx.union(new int[] {out[c * multiplier + k]}, new int[] {in.atoms()[c]});
                        }
                    }
                }
            } else if (isDepthwise(node, x, wd)) {
                out = ctx.producerAtoms(node, w, 0, ChannelAtoms.Origin.FILTERS, WeightRole.OUTPUT);
                ctx.freeze(out, "node " + node + ": depthwise convolution over channels that are not traced");
            } else {
                out = grouped(node, ctx, in, wd, (int) group);
            }
            bindBias(node, ctx, out);
            ctx.setLayout(node.output(0), 1, out);
        }

        /**
         * A grouped convolution's channels, as {@link GroupedConvolutions} says: either position j of every group is
         * one channel (inputs and outputs separately), and the weight's axis 1, which holds one group's inputs, follows
         * group 0's; or each group's input and output slices are one channel, and axis 1 keeps its size. Within
         * groups gives way to whole groups where no cut within groups can meet round-to: the width is then
         * kept × group count, and 13 groups of 8 at round-to 8 could only keep all 8.
         */
        private static int[] grouped(Node node, ChannelContext ctx, Layout in, long[] wd, int group) {
            String w = node.input(1);
            int[] out = ctx.producerAtoms(node, w, 0, ChannelAtoms.Origin.FILTERS, WeightRole.OUTPUT);
            int perGroupIn = (int) wd[1];
            int perGroupOut = out.length / group;
            if (out.length % group != 0 || in != null && in.size() != (long) group * perGroupIn) {
                String why = "node " + node + ": grouped convolution (group=" + group + ") does not divide its "
                        + "channels evenly";
                ctx.freeze(out, why);
                ctx.freeze(in, why);
                return out;
            }
            if (ctx.groupedConvolutions() == GroupedConvolutions.WITHIN_GROUPS
                    && withinGroupCutMeetsRoundTo(group, Math.min(perGroupIn, perGroupOut), ctx.roundTo())) {
                joinAcrossGroups(ctx, out, group);
                if (in != null) {
                    joinAcrossGroups(ctx, in.atoms(), group);
                    ctx.bindWeight(node, w, 1, Arrays.copyOf(in.atoms(), perGroupIn), WeightRole.INPUT);
                }
            } else if (in == null) {
                ctx.freeze(out, "node " + node + ": whole groups go with their input slices, whose channels are "
                        + "not traced");
            } else {
                for (int g = 0; g < group; g++) {
                    int first = out[g * perGroupOut];
                    for (int k = 1; k < perGroupOut; k++) {
                        ctx.atoms().union(first, out[g * perGroupOut + k]);
                    }
                    for (int j = 0; j < perGroupIn; j++) {
                        ctx.atoms().union(first, in.atoms()[g * perGroupIn + j]);
                    }
                }
            }
            return out;
        }

        /** True when some count below {@code perGroup}, kept in each of {@code group} groups, is a multiple of round-to. */
        private static boolean withinGroupCutMeetsRoundTo(int group, int perGroup, int roundTo) {
            return roundTo / gcd(roundTo, group) < perGroup;
        }

        private static int gcd(int a, int b) {
            return b == 0 ? a : gcd(b, a % b);
        }

        /** Joins position j of every one of {@code group} equal slices with position j of the first. */
        private static void joinAcrossGroups(ChannelContext ctx, int[] atoms, int group) {
            int per = atoms.length / group;
            for (int g = 1; g < group; g++) {
                for (int j = 0; j < per; j++) {
                    ctx.atoms().union(atoms[j], atoms[g * per + j]);
                }
            }
        }

        /**
         * Depthwise: the group count follows the kept input channels. Grouped: it is the number of groups that keep
         * an output, which is every group when channels go within groups, and fewer when whole groups go.
         */
        @Override
        public void rewrite(Node node, SurgeryContext surgery) {
            long[] x = surgery.originalDims(node.input(0));
            long[] w = surgery.originalDims(node.input(1));
            long group = node.attrInt("group", 1);
            if (isDepthwise(node, x, w)) {
                if (surgery.layout(node.input(0)) != null) {
                    surgery.setIntAttribute(node, "group", surgery.keptCount(node.input(0)));
                }
                return;
            }
            if (group == 1 || surgery.layout(node.output(0)) == null) {
                return;
            }
            boolean[] kept = surgery.kept(node.output(0));
            int per = (int) (kept.length / group);
            long keptGroups = 0;
            for (int g = 0; g < group; g++) {
                for (int k = 0; k < per; k++) {
                    if (kept[g * per + k]) {
                        keptGroups++;
                        break;
                    }
                }
            }
            if (keptGroups != group) {
                surgery.setIntAttribute(node, "group", keptGroups);
            }
        }
    }

    /** A grouped ConvTranspose keeps its channels: its weight's axes are (inputs, outputs per group), not yet traced. */
    static void convTranspose(Node node, ChannelContext ctx) {
        String w = node.input(1);
        Layout in = ctx.layout(node.input(0));
        if (!ctx.isWeight(w) || node.attrInt("group", 1) != 1 || in != null && in.axis() != 1) {
            ctx.freezeInputs(node, "only ConvTranspose with group=1 and stored weights is pruned");
            if (ctx.isWeight(w)) {
                int[] out = ctx.producerAtoms(node, w, 1, ChannelAtoms.Origin.FILTERS, WeightRole.OUTPUT);
                ctx.freeze(out, "node " + node + ": grouped ConvTranspose keeps its channels");
                ctx.setLayout(node.output(0), 1, out);
            }
            return;
        }
        int[] out = ctx.producerAtoms(node, w, 1, ChannelAtoms.Origin.FILTERS, WeightRole.OUTPUT);
        if (in != null) {
            ctx.bindWeight(node, w, 0, in.atoms(), WeightRole.INPUT);
        }
        bindBias(node, ctx, out);
        ctx.setLayout(node.output(0), 1, out);
    }

    private static void bindBias(Node node, ChannelContext ctx, int[] out) {
        String bias = node.input(2);
        if (bias.isEmpty()) {
            return;
        }
        if (ctx.isWeight(bias)) {
            ctx.bindWeight(node, bias, 0, out, WeightRole.BIAS);
        } else {
            ctx.freeze(out, "node " + node + ": bias is computed at run time");
        }
    }

    static void batchNorm(Node node, ChannelContext ctx) {
        Layout in = ctx.layout(node.input(0));
        if (in == null) {
            return;
        }
        if (in.axis() != 1) {
            ctx.freeze(in, "node " + node + ": channels arrive on axis " + in.axis() + ", not 1");
        }
        for (int i = 1; i < node.inputCount(); i++) {
            String p = node.input(i);
            if (p.isEmpty()) {
                continue;
            }
            if (ctx.isWeight(p)) {
                ctx.bindWeight(node, p, 0, in.atoms(), i == 1 ? WeightRole.BN_SCALE : WeightRole.PER_CHANNEL);
            } else {
                ctx.freeze(in, "node " + node + ": normalisation parameter '" + p + "' is computed at run time");
            }
        }
        ctx.setLayout(node.output(0), in.axis(), in.atoms());
        for (int i = 1; i < node.outputs().size(); i++) {
            ctx.setLayout(node.output(i), 0, in.atoms());
        }
    }
}
