package io.shears.pruning;

import io.shears.graph.CostModel;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.Shapes;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scaled dot-product attention whose heads are pruning units. Removing head h removes its slices of Q, K and V
 * (three projections, or one fused projection reshaped into 3 × heads × head width), its slice of the output
 * projection's inputs and its slice of any stored per-head tensor; the head count in every Reshape target between
 * the projections is rewritten. Found by {@link AttentionPatterns}; the nodes it claims are not traced by their
 * operator rules, because those see one channel axis and a head is spread over two.
 */
final class AttentionBlock {
    /** Q, K or V: the projection output it starts from, and the source channels of each head, in order. */
    record Operand(String source, int[][] channelsOfHead) {
    }

    /** A stored tensor with one entry per head on {@code axis} (a relative-position-bias table). */
    record PerHeadWeight(Node node, String weight, int axis, int[] entryOfHead) {
    }

    /**
     * A tensor between the projections that carries units (heads, or positions of the head width) on {@code axis}:
     * its size there scales with the units kept. -1 marks a position that belongs to no unit.
     */
    record UnitAxis(int axis, int[] unitOfPosition) {
    }

    private final Node scores;
    private final Node values;
    private final int heads;
    private final Operand query;
    private final Operand key;
    private final Operand value;
    private final String merged;
    private final int[][] mergedPositions;
    private final List<PerHeadWeight> perHeadWeights;
    private final Map<String, UnitAxis> headAxes;
    private final Map<String, UnitAxis> widthAxes;
    private final List<Node> claimed;
    private final Graph graph;
    private final Shapes shapes;
    private int[] unitAtoms;
    private Map<String, UnitAxis> unitAxes;

    AttentionBlock(Graph graph, Shapes shapes, Node scores, Node values, int heads, Operand query, Operand key,
                   Operand value, String merged, int[][] mergedPositions, List<PerHeadWeight> perHeadWeights,
                   Map<String, UnitAxis> headAxes, Map<String, UnitAxis> widthAxes, List<Node> claimed) {
        this.graph = graph;
        this.shapes = shapes;
        this.scores = scores;
        this.values = values;
        this.heads = heads;
        this.query = query;
        this.key = key;
        this.value = value;
        this.merged = merged;
        this.mergedPositions = mergedPositions;
        this.perHeadWeights = perHeadWeights;
        this.headAxes = new LinkedHashMap<>(headAxes);
        this.widthAxes = new LinkedHashMap<>(widthAxes);
        this.claimed = List.copyOf(claimed);
    }

    List<Node> claimed() {
        return claimed;
    }

    /** The node at which the block is bound: every Q, K and V path has been seen, the merged output not yet used. */
    Node bindsAt() {
        return values;
    }

    boolean bound() {
        return unitAtoms != null;
    }

    /** One atom of each unit (head, or position of the head width), all of whose slices are joined to it. */
    int[] unitAtoms() {
        return unitAtoms;
    }

    /** The MACs of the two activation-by-activation products, which scale with the units kept. */
    long attentionMacs() {
        return CostModel.macs(scores, shapes) + CostModel.macs(values, shapes);
    }

    /** The axis of a tensor inside the block that carries the bound units, or null. */
    UnitAxis unitAxis(String tensor) {
        return unitAxes == null ? null : unitAxes.get(tensor);
    }

    /**
     * Joins each unit's slices into one channel, binds per-head tables (when heads are the unit) and hands the merged
     * heads their channels. The head width is the unit only where Q, K and V have the same head width.
     */
    void bind(ChannelContext ctx, AttentionUnit unit) {
        Layout q = sourceLayout(ctx, query);
        Layout k = sourceLayout(ctx, key);
        Layout v = sourceLayout(ctx, value);
        if (q == null || k == null || v == null) {
            String why = "node " + scores + ": the attention's Q, K or V projection has no traced channels";
            for (Operand o : List.of(query, key, value)) {
                ctx.freeze(ctx.layout(o.source()), why);
            }
            return;
        }
        int width = query.channelsOfHead()[0].length;
        boolean byWidth = unit == AttentionUnit.HEAD_WIDTH && value.channelsOfHead()[0].length == width
                && !widthAxes.isEmpty();
        int[] representatives = new int[byWidth ? width : heads];
        for (int r = 0; r < representatives.length; r++) {
            representatives[r] = q.atoms()[query.channelsOfHead()[byWidth ? 0 : r][byWidth ? r : 0]];
        }
        for (int h = 0; h < heads; h++) {
            for (Operand o : List.of(query, key, value)) {
                Layout l = o == query ? q : o == key ? k : v;
                int[] channels = o.channelsOfHead()[h];
                for (int d = 0; d < channels.length; d++) {
                    ctx.union(new int[] {representatives[byWidth ? d : h]}, new int[] {l.atoms()[channels[d]]});
                }
            }
        }
        for (PerHeadWeight w : byWidth ? List.<PerHeadWeight>of() : perHeadWeights) {
            int[] atoms = new int[heads];
            for (int h = 0; h < heads; h++) {
                atoms[w.entryOfHead()[h]] = representatives[h];
            }
            ctx.bindWeight(w.node(), w.weight(), w.axis(), atoms, WeightRole.PER_CHANNEL);
        }
        int[] mergedAtoms = new int[mergedPositions.length];
        for (int j = 0; j < mergedAtoms.length; j++) {
            mergedAtoms[j] = v.atoms()[value.channelsOfHead()[mergedPositions[j][0]][mergedPositions[j][1]]];
        }
        ctx.setLayout(merged, shapes.dims(merged).length - 1, mergedAtoms);
        unitAtoms = representatives;
        unitAxes = byWidth ? widthAxes : headAxes;
    }

    private Layout sourceLayout(ChannelContext ctx, Operand o) {
        Layout l = ctx.layout(o.source());
        long[] d = shapes.dims(o.source());
        return l != null && d != null && l.axis() == d.length - 1 && l.size() == d[d.length - 1] ? l : null;
    }

    /** Rewrites the unit count in Reshape targets and the bounds of Slices and Splits across units. */
    void rewrite(SurgeryContext surgery) {
        boolean[] kept = new boolean[unitAtoms.length];
        int keptUnits = 0;
        for (int u = 0; u < kept.length; u++) {
            kept[u] = surgery.kept(unitAtoms[u]);
            keptUnits += kept[u] ? 1 : 0;
        }
        boolean cut = keptUnits < kept.length;
        for (Node node : claimed) {
            switch (node.op()) {
                case "Reshape" -> rewriteReshape(node, keptUnits, surgery);
                case "Slice" -> {
                    if (cut) {
                        rewriteSlice(node, kept, surgery);
                    }
                }
                case "Split" -> {
                    if (cut) {
                        rewriteSplit(node, kept, surgery);
                    }
                }
                default -> { }
            }
        }
    }

    /** The size an axis that carries units has once only {@code keptUnits} remain. */
    private long resized(long size, int keptUnits) {
        return size / unitAtoms.length * keptUnits;
    }

    /** The size of a tensor's unit axis after surgery. */
    long resized(UnitAxis axis, SurgeryContext surgery) {
        int keptUnits = 0;
        for (int atom : unitAtoms) {
            keptUnits += surgery.kept(atom) ? 1 : 0;
        }
        return resized(axis.unitOfPosition().length, keptUnits);
    }

    private void rewriteReshape(Node node, int keptUnits, SurgeryContext surgery) {
        UnitAxis out = unitAxes.get(node.output(0));
        long[] target = shapes.intValue(node.input(1));
        if (out == null || target[out.axis()] <= 0) {
            return;
        }
        long updated = resized(target[out.axis()], keptUnits);
        String targetTensor = node.input(1);
        boolean stored = graph.weightSource(targetTensor) != null;
        if (stored && updated == target[out.axis()]) {
            return;
        }
        if (stored) {
            long[] whole = target.clone();
            whole[out.axis()] = updated;
            surgery.replaceInput(node, 1, whole);
            return;
        }
        Node concat = graph.producer(targetTensor);
        int offset = 0;
        for (int i = 0; i < concat.inputCount(); i++) {
            int length = (int) PositionTrace.count(PositionTrace.dimsOf(graph, shapes, concat.input(i)));
            if (out.axis() < offset + length) {
                // A computed piece may read the embedding width, which can be cut apart from the heads: -1 stays right.
                boolean storedPart = graph.weightSource(concat.input(i)) != null;
                if (!storedPart || updated != target[out.axis()]) {
                    surgery.replaceInput(concat, i, new long[] {storedPart ? updated : -1});
                }
                return;
            }
            offset += length;
        }
    }

    private void rewriteSlice(Node node, boolean[] kept, SurgeryContext surgery) {
        UnitAxis in = inputUnitAxis(node);
        LayoutChannels.Bounds b = LayoutChannels.Bounds.of(node, shapes::intValue, shapes.dims(node.input(0)).length);
        int k = in == null ? -1 : b.indexOf(in.axis());
        if (k < 0) {
            return;
        }
        long dim = in.unitOfPosition().length;
        long start = b.start(k, dim);
        long end = b.ends()[k] < 0 ? b.ends()[k] + dim : Math.min(b.ends()[k], dim);
        long[] starts = b.starts().clone();
        long[] ends = b.ends().clone();
        starts[k] = keptBefore(in, kept, start);
        ends[k] = keptBefore(in, kept, end);
        if (node.has("starts")) {
            surgery.setIntsAttribute(node, "starts", starts);
            surgery.setIntsAttribute(node, "ends", ends);
        } else {
            surgery.replaceInput(node, 1, starts);
            surgery.replaceInput(node, 2, ends);
        }
    }

    private void rewriteSplit(Node node, boolean[] kept, SurgeryContext surgery) {
        UnitAxis in = inputUnitAxis(node);
        int rank = shapes.dims(node.input(0)).length;
        long axis = node.attrInt("axis", 0);
        if (in == null || (axis < 0 ? axis + rank : axis) != in.axis()) {
            return;
        }
        long[] sizes = new long[node.outputs().size()];
        long offset = 0;
        for (int i = 0; i < sizes.length; i++) {
            long size = shapes.dims(node.output(i))[in.axis()];
            sizes[i] = keptBefore(in, kept, offset + size) - keptBefore(in, kept, offset);
            offset += size;
        }
        if (node.has("split")) {
            surgery.setIntsAttribute(node, "split", sizes);
        } else if (node.inputCount() > 1 && !node.input(1).isEmpty()) {
            surgery.replaceInput(node, 1, sizes);
        }
    }

    private UnitAxis inputUnitAxis(Node node) {
        return unitAxes.get(node.input(0));
    }

    private static long keptBefore(UnitAxis axis, boolean[] kept, long end) {
        long n = 0;
        for (int i = 0; i < end && i < axis.unitOfPosition().length; i++) {
            int h = axis.unitOfPosition()[i];
            n += h < 0 || kept[h] ? 1 : 0;
        }
        return n;
    }

    @Override
    public String toString() {
        return "attention at " + scores + " (" + heads + " heads of width " + query.channelsOfHead()[0].length + ")";
    }

    /**
     * Unit axes of the source tensors: the channel axis, each channel's head (or, with {@code byWidth}, its position
     * in its head) from the operands.
     */
    static Map<String, UnitAxis> sourceAxes(Shapes shapes, boolean byWidth, Operand... operands) {
        Map<String, int[]> heads = new LinkedHashMap<>();
        for (Operand o : operands) {
            long[] dims = shapes.dims(o.source());
            int[] of = heads.computeIfAbsent(o.source(), s -> {
                int[] a = new int[(int) dims[dims.length - 1]];
                Arrays.fill(a, -1);
                return a;
            });
            for (int h = 0; h < o.channelsOfHead().length; h++) {
                int[] channels = o.channelsOfHead()[h];
                for (int d = 0; d < channels.length; d++) {
                    of[channels[d]] = byWidth ? d : h;
                }
            }
        }
        Map<String, UnitAxis> out = new LinkedHashMap<>();
        heads.forEach((tensor, of) -> out.put(tensor, new UnitAxis(shapes.dims(tensor).length - 1, of)));
        return out;
    }
}
