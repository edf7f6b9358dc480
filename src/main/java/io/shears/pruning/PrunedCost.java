package io.shears.pruning;

import io.shears.graph.CostModel;
import io.shears.graph.Node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MACs of the model as a function of which channels are removed, without touching the model. Every MAC-bearing node
 * costs unit × (kept rows of its weight's axis 0) × (kept rows of axis 1), and a MatMul whose input carries channels
 * on an axis it does not contract (a token-mixing MLP over the embedding width) × the kept ones of those: spatial
 * sizes never change, so this is exact, and the surgeon checks it against shape inference on the cut model.
 */
final class PrunedCost {
    /** A size that scales a node's cost: the channel of each index (null: fixed size). */
    private record Factor(int[] channels, long size) {
    }

    /** One MAC node: its cost per unit and what it scales with. */
    private record Term(long unit, List<Factor> factors) {
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
                terms.add(new Term(block.attentionMacs() / units.length, List.of(new Factor(units, units.length))));
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
            List<Factor> factors = new ArrayList<>();
            factors.add(new Factor(a0 == null ? null : classes(analysis, a0.atoms), dims[0]));
            factors.add(new Factor(a1 == null ? null : classes(analysis, a1.atoms), dims[1]));
            long unit = macs / (dims[0] * dims[1]);
            Layout rows = analysis.layouts().get(node.input(0));
            if (node.op().equals("MatMul") && rows != null
                    && rows.axis() < analysis.shapes().dims(node.input(0)).length - 1) {
                factors.add(new Factor(classes(analysis, rows.atoms()), rows.size()));
                unit /= rows.size();
            }
            terms.add(new Term(unit, factors));
        }
        this.fixed = constant;
    }

    private static int[] classes(ChannelAnalysis analysis, int[] atoms) {
        int[] out = new int[atoms.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = analysis.classOf(atoms[i]);
        }
        return out;
    }

    long macs(boolean[] pruned) {
        long total = fixed;
        for (Term t : terms) {
            long term = t.unit;
            for (Factor f : t.factors) {
                term *= kept(f.channels, f.size, pruned);
            }
            total += term;
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
