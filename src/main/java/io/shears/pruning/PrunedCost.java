package io.shears.pruning;

import io.shears.graph.CostModel;
import io.shears.graph.Node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MACs of the model as a function of which channels are removed, without touching the model. Every MAC-bearing node
 * costs unit × (kept rows of its weight's axis 0) × (kept rows of axis 1): spatial sizes never change, so this is
 * exact, and the surgeon checks it against shape inference on the cut model.
 */
final class PrunedCost {
    /** One MAC node: its cost per unit, and for weight axes 0 and 1 the channel of each index (null: fixed size). */
    private record Term(long unit, int[] axis0, long size0, int[] axis1, long size1) {
    }

    private final List<Term> terms = new ArrayList<>();
    private final long fixed;

    PrunedCost(ChannelAnalysis analysis) {
        Map<String, WeightAxis> axes = new HashMap<>();
        for (WeightAxis w : analysis.weightAxes()) {
            axes.put(w.source + "\u0000" + w.axis, w);
        }
        long constant = 0;
        Map<Integer, AttentionBlock> attention = analysis.attentionNodes();
        for (AttentionBlock block : analysis.attention()) {
            if (block.bound()) {
                int[] units = new int[block.unitAtoms().length];
                for (int u = 0; u < units.length; u++) {
                    units[u] = analysis.classOf(block.unitAtoms()[u]);
                }
                terms.add(new Term(block.attentionMacs() / units.length, units, units.length, null, 1));
            }
        }
        for (Node node : analysis.graph().nodes()) {
            long macs = CostModel.macs(node, analysis.shapes());
            AttentionBlock block = attention.get(node.index());
            // The claimed nodes that cost MACs are the block's two products, counted in its term above.
            if (macs == 0 || block != null && block.bound()) {
                continue;
            }
            String source = analysis.graph().weightSource(node.input(1));
            long[] dims = source == null ? null : analysis.graph().weightDims(source);
            if (dims == null || dims.length < 2) {
                constant += macs;
                continue;
            }
            WeightAxis a0 = axes.get(source + "\u0000" + 0);
            WeightAxis a1 = axes.get(source + "\u0000" + 1);
            terms.add(new Term(macs / (dims[0] * dims[1]), a0 == null ? null : classes(analysis, a0), dims[0],
                    a1 == null ? null : classes(analysis, a1), dims[1]));
        }
        this.fixed = constant;
    }

    private static int[] classes(ChannelAnalysis analysis, WeightAxis w) {
        int[] out = new int[w.atoms.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = analysis.classOf(w.atoms[i]);
        }
        return out;
    }

    long macs(boolean[] pruned) {
        long total = fixed;
        for (Term t : terms) {
            total += t.unit * kept(t.axis0, t.size0, pruned) * kept(t.axis1, t.size1, pruned);
        }
        return total;
    }

    private static long kept(int[] channels, long size, boolean[] pruned) {
        if (channels == null) {
            return size;
        }
        long n = 0;
        for (int c : channels) {
            if (!pruned[c]) {
                n++;
            }
        }
        return n;
    }
}
