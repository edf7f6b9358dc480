package io.shears.pruning;

import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.Shapes;
import io.shears.pruning.AttentionBlock.UnitAxis;
import io.shears.pruning.AttentionBlock.Operand;
import io.shears.pruning.AttentionBlock.PerHeadWeight;
import io.shears.pruning.PositionTrace.Step;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongToIntFunction;

/**
 * Finds scaled dot-product attention by its data flow, not by node names: a MatMul of two activations (Q·Kᵀ) whose
 * result reaches a Softmax over its last axis and is then multiplied by a third activation (A·V), with Q, K and V
 * each reached from a projection by operators that only move data. Which channels form which head is read off by
 * tracing positions ({@link PositionTrace}); a pattern that does not trace cleanly is left to the operator rules,
 * which freeze what they cannot follow.
 */
final class AttentionPatterns {
    private static final Set<String> SHAPE_READERS = Set.of("Shape", "Size");
    private static final Set<String> SCORE_SCALING = Set.of("Div", "Mul", "Add", "Sub");
    private static final Set<String> SCORE_MOVING = Set.of("Reshape", "Cast", "Dropout", "Identity");
    private static final Set<String> MERGING = Set.of("Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
            "Identity");
    private static final int LONGEST_PATH = 32;

    private final Graph graph;
    private final Shapes shapes;

    /** Q, K or V: the tensor it starts from, the steps to the product, and the labels after each step. */
    private record Traced(String source, List<Step> path, List<PositionTrace> traces) {
    }

    private AttentionPatterns(Graph graph, Shapes shapes) {
        this.graph = graph;
        this.shapes = shapes;
    }

    static List<AttentionBlock> find(Graph graph, Shapes shapes) {
        AttentionPatterns patterns = new AttentionPatterns(graph, shapes);
        List<AttentionBlock> blocks = new ArrayList<>();
        Set<Integer> claimed = new HashSet<>();
        for (Node node : graph.nodes()) {
            if (!node.op().equals("MatMul") || !node.domain().isEmpty() || graph.weightSource(node.input(0)) != null
                    || graph.weightSource(node.input(1)) != null) {
                continue;
            }
            AttentionBlock block = patterns.block(node);
            if (block != null && block.claimed().stream().noneMatch(n -> claimed.contains(n.index()))) {
                block.claimed().forEach(n -> claimed.add(n.index()));
                blocks.add(block);
            }
        }
        return blocks;
    }

    private List<Node> consumers(String tensor) {
        return graph.consumers(tensor).stream().filter(c -> !SHAPE_READERS.contains(c.op())).toList();
    }

    /** Operands of an elementwise step other than the traced one, that are not single numbers. */
    private List<String> sideOperands(Node node, int data) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.inputCount(); i++) {
            long[] d = PositionTrace.dimsOf(graph, shapes, node.input(i));
            if (i != data && !node.input(i).isEmpty() && (d == null || PositionTrace.count(d) > 1)) {
                out.add(node.input(i));
            }
        }
        return out;
    }

    private List<Step> walkBack(String tensor) {
        List<Step> steps = new ArrayList<>();
        String t = tensor;
        for (int i = 0; i < LONGEST_PATH; i++) {
            Step step = PositionTrace.producingStep(graph, shapes, t);
            if (step == null) {
                break;
            }
            steps.add(0, step);
            t = step.in();
        }
        return steps;
    }

    private static String start(List<Step> path, String end) {
        return path.isEmpty() ? end : path.get(0).in();
    }

    private PositionTrace trace(PositionTrace start, List<Step> path) {
        List<PositionTrace> all = traceAll(start, path);
        return all == null ? null : all.get(all.size() - 1);
    }

    /** The start and the labels after every step, or null when a step cannot be traced. */
    private List<PositionTrace> traceAll(PositionTrace start, List<Step> path) {
        List<PositionTrace> all = new ArrayList<>();
        PositionTrace t = start;
        all.add(t);
        for (Step s : path) {
            t = t.apply(s, shapes);
            if (t == null) {
                return null;
            }
            all.add(t);
        }
        return all;
    }

    private AttentionBlock block(Node scores) {
        List<Step> scorePath = new ArrayList<>();
        String t = scores.output(0);
        Node values = null;
        boolean softmax = false;
        for (int i = 0; i < LONGEST_PATH && values == null; i++) {
            List<Node> next = consumers(t);
            if (next.size() != 1 || shapes.dims(t) == null) {
                return null;
            }
            Node c = next.get(0);
            int data = c.inputs().indexOf(t);
            if (c.op().equals("MatMul") && data == 0 && softmax) {
                values = c;
            } else if (c.op().equals("Softmax") && lastAxis(c, shapes.dims(t).length)) {
                softmax = true;
                scorePath.add(new Step(c, 0, 0));
            } else if (SCORE_SCALING.contains(c.op()) || c.op().equals("Where") && data > 0
                    || SCORE_MOVING.contains(c.op()) && data == 0) {
                scorePath.add(new Step(c, data, 0));
            } else {
                return null;
            }
            t = c.output(0);
        }
        if (values == null) {
            return null;
        }
        return block(scores, values, scorePath);
    }

    private boolean lastAxis(Node softmax, int rank) {
        long axis = softmax.attrInt("axis", graph.opset() < 13 ? 1 : -1);
        return (axis < 0 ? axis + rank : axis) == rank - 1;
    }

    private AttentionBlock block(Node scores, Node values, List<Step> scorePath) {
        List<Step> qPath = walkBack(scores.input(0));
        List<Step> kPath = walkBack(scores.input(1));
        List<Step> vPath = walkBack(values.input(1));
        String qSource = start(qPath, scores.input(0));
        String kSource = start(kPath, scores.input(1));
        String vSource = start(vPath, values.input(1));
        for (String s : List.of(qSource, kSource, vSource)) {
            long[] d = shapes.dims(s);
            if (graph.weightSource(s) != null || d == null || d.length < 2) {
                return null;
            }
        }
        Map<String, PositionTrace> starts = new LinkedHashMap<>();
        for (String source : List.of(qSource, kSource, vSource)) {
            starts.computeIfAbsent(source, this::channels);
        }
        List<PositionTrace> qTraces = traceAll(starts.get(qSource), qPath);
        List<PositionTrace> kTraces = traceAll(starts.get(kSource), kPath);
        List<PositionTrace> vTraces = traceAll(starts.get(vSource), vPath);
        if (qTraces == null || kTraces == null || vTraces == null) {
            return null;
        }
        PositionTrace q = qTraces.get(qTraces.size() - 1);
        PositionTrace k = kTraces.get(kTraces.size() - 1);
        PositionTrace v = vTraces.get(vTraces.size() - 1);
        if (q == null || k == null || v == null || q.dims().length < 3 || !sameLeading(q, k) || !sameLeading(q, v)) {
            return null;
        }
        int slots = (int) leading(q.dims());
        int width = (int) last(q.dims());
        int valueWidth = (int) last(v.dims());
        if (k.dims()[k.dims().length - 2] != width) {
            return null;
        }
        long[][] qOf = perSlot(q, slots, false);
        long[][] kOf = perSlot(k, slots, true);
        long[][] vOf = perSlot(v, slots, false);
        if (qOf == null || kOf == null || vOf == null) {
            return null;
        }
        // A head is a slot's set of Q, K and V channels; slots repeat when the batch axis is merged with the heads.
        Map<String, Integer> headOfKey = new LinkedHashMap<>();
        int[] headOfSlot = new int[slots];
        for (int p = 0; p < slots; p++) {
            String key = Arrays.toString(qOf[p]) + Arrays.toString(kOf[p]) + Arrays.toString(vOf[p]);
            headOfSlot[p] = headOfKey.computeIfAbsent(key, x -> headOfKey.size());
        }
        int heads = headOfKey.size();
        if (heads < 2) {
            return null;
        }
        int[] firstSlot = new int[heads];
        Arrays.fill(firstSlot, -1);
        for (int p = 0; p < slots; p++) {
            if (firstSlot[headOfSlot[p]] < 0) {
                firstSlot[headOfSlot[p]] = p;
            }
        }
        Operand query = operand(qSource, qOf, firstSlot);
        Operand key = operand(kSource, kOf, firstSlot);
        Operand value = operand(vSource, vOf, firstSlot);
        if (query == null || key == null || value == null) {
            return null;
        }

        List<Step> outPath = new ArrayList<>();
        String merged = values.output(0);
        for (int i = 0; i < LONGEST_PATH; i++) {
            List<Node> next = consumers(merged);
            if (next.size() != 1 || !MERGING.contains(next.get(0).op()) || !next.get(0).input(0).equals(merged)) {
                break;
            }
            outPath.add(new Step(next.get(0), 0, 0));
            merged = next.get(0).output(0);
        }
        long[] outDims = shapes.dims(values.output(0));
        PositionTrace outStart = slotAndWidth(outDims, valueWidth);
        PositionTrace m = trace(outStart, outPath);
        if (m == null || last(m.dims()) != (long) heads * valueWidth) {
            return null;
        }
        LongToIntFunction headOfOut = label -> headOfSlot[(int) (label / valueWidth)];
        int[][] mergedPositions = mergedPositions(m, headOfOut, valueWidth);
        if (mergedPositions == null) {
            return null;
        }

        Map<String, UnitAxis> axes = new LinkedHashMap<>(AttentionBlock.sourceAxes(shapes, false, query, key, value));
        Map<String, UnitAxis> widthAxes = new LinkedHashMap<>(
                AttentionBlock.sourceAxes(shapes, true, query, key, value));
        List<Node> claimed = new ArrayList<>();
        // Units are read per source tensor, so that a fused projection's Q, K and V parts agree on one axis.
        for (Traced t : List.of(new Traced(qSource, qPath, qTraces), new Traced(kSource, kPath, kTraces),
                new Traced(vSource, vPath, vTraces))) {
            if (!claimTraced(t.path(), t.traces(), unitOf(axes.get(t.source())), axes, claimed)
                    || !claimTraced(t.path(), t.traces(), unitOf(widthAxes.get(t.source())), widthAxes, claimed)) {
                return null;
            }
        }
        PositionTrace scoreStart = slotOnly(shapes.dims(scores.output(0)));
        LongToIntFunction headOfScore = label -> headOfSlot[(int) label];
        claimed.add(scores);
        if (!record(scores.output(0), scoreStart, headOfScore, axes)
                || !claimPath(scoreStart, scorePath, headOfScore, axes, claimed)) {
            return null;
        }
        List<PerHeadWeight> perHead = new ArrayList<>();
        PositionTrace s = scoreStart;
        for (Step step : scorePath) {
            for (String side : sideOperands(step.node(), step.dataInput())) {
                if (!perHeadOperand(step, side, s, headOfScore, heads, perHead, axes, claimed)) {
                    return null;
                }
            }
            s = s.apply(step, shapes);
        }
        claimed.add(values);
        LongToIntFunction widthOfOut = label -> (int) (label % valueWidth);
        if (!record(values.output(0), outStart, headOfOut, axes)
                || !claimPath(outStart, outPath, headOfOut, axes, claimed)
                || !record(values.output(0), outStart, widthOfOut, widthAxes)
                || !claimPath(outStart, outPath, widthOfOut, widthAxes, claimed)) {
            return null;
        }
        List<Node> sorted = sortedByIndex(claimed);
        if (!rewritable(sorted, axes, heads) || escapes(sorted, merged)) {
            return null;
        }
        if (!rewritable(sorted, widthAxes, width)) {
            widthAxes = Map.of();
        }
        return new AttentionBlock(graph, shapes, scores, values, heads, query, key, value, merged, mergedPositions,
                perHead, axes, widthAxes, sorted);
    }

    private PositionTrace channels(String source) {
        long[] d = shapes.dims(source);
        return PositionTrace.indexAlong(d, d.length - 1);
    }

    private static long leading(long[] dims) {
        long n = 1;
        for (int i = 0; i < dims.length - 2; i++) {
            n *= dims[i];
        }
        return n;
    }

    private static long last(long[] dims) {
        return dims[dims.length - 1];
    }

    private static boolean sameLeading(PositionTrace a, PositionTrace b) {
        return a.dims().length == b.dims().length && leading(a.dims()) == leading(b.dims())
                && Arrays.equals(Arrays.copyOf(a.dims(), a.dims().length - 2), Arrays.copyOf(b.dims(), b.dims().length - 2));
    }

    /**
     * For each leading slot, the source channel of each position along the head width, which must not depend on the
     * token: along the last axis for Q and V, along the second-to-last for Kᵀ.
     */
    private static long[][] perSlot(PositionTrace t, int slots, boolean transposed) {
        long[] d = t.dims();
        int rows = (int) d[d.length - 2];
        int cols = (int) d[d.length - 1];
        int width = transposed ? rows : cols;
        int tokens = transposed ? cols : rows;
        long[][] out = new long[slots][width];
        long[] labels = t.labels();
        for (int p = 0; p < slots; p++) {
            for (int w = 0; w < width; w++) {
                long first = -1;
                for (int n = 0; n < tokens; n++) {
                    int r = transposed ? w : n;
                    int c = transposed ? n : w;
                    long label = labels[(p * rows + r) * cols + c];
                    if (n == 0) {
                        first = label;
                    } else if (label != first) {
                        return null;
                    }
                }
                out[p][w] = first;
            }
        }
        return out;
    }

    /**
     * The operand's channels per head, checked to be laid out head by head (head h's channels consecutive and after
     * head h−1's), which is what lets a Reshape with fewer heads split the kept channels correctly.
     */
    private static Operand operand(String source, long[][] ofSlot, int[] firstSlot) {
        int heads = firstSlot.length;
        int[][] channels = new int[heads][];
        Set<Long> used = new HashSet<>();
        for (int h = 0; h < heads; h++) {
            long[] c = ofSlot[firstSlot[h]];
            channels[h] = new int[c.length];
            for (int d = 0; d < c.length; d++) {
                if (c[d] != c[0] + d || !used.add(c[d])) {
                    return null;
                }
                channels[h][d] = (int) c[d];
            }
            if (h > 0 && channels[h][0] < channels[h - 1][0] + channels[h - 1].length) {
                return null;
            }
        }
        return new Operand(source, channels);
    }

    private static LongToIntFunction unitOf(UnitAxis source) {
        return label -> source.unitOfPosition()[(int) label];
    }

    /** Labels the attention output [slots…, tokens, width] by slot × width + position. */
    private static PositionTrace slotAndWidth(long[] dims, int width) {
        long[] labels = new long[(int) PositionTrace.count(dims)];
        long tokens = dims[dims.length - 2];
        for (int e = 0; e < labels.length; e++) {
            long slot = e / (tokens * width);
            labels[e] = slot * width + e % width;
        }
        return new PositionTrace(labels, dims.clone());
    }

    /** Labels the scores [slots…, queries, keys] by slot. */
    private static PositionTrace slotOnly(long[] dims) {
        long[] labels = new long[(int) PositionTrace.count(dims)];
        long block = dims[dims.length - 1] * dims[dims.length - 2];
        for (int e = 0; e < labels.length; e++) {
            labels[e] = e / block;
        }
        return new PositionTrace(labels, dims.clone());
    }

    /** Head and position of each entry of the merged axis, the same in every row. */
    private static int[][] mergedPositions(PositionTrace m, LongToIntFunction headOf, int width) {
        int cols = (int) last(m.dims());
        int rows = m.labels().length / cols;
        int[][] out = new int[cols][];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                long label = m.labels()[r * cols + j];
                int[] hd = {headOf.applyAsInt(label), (int) (label % width)};
                if (r == 0) {
                    out[j] = hd;
                } else if (!Arrays.equals(out[j], hd)) {
                    return null;
                }
            }
        }
        return out;
    }

    private boolean claimPath(PositionTrace start, List<Step> path, LongToIntFunction headOf,
                              Map<String, UnitAxis> axes, List<Node> claimed) {
        List<PositionTrace> traces = traceAll(start, path);
        return traces != null && claimTraced(path, traces, headOf, axes, claimed);
    }

    /** Claims a path's nodes and notes the unit axis of each tensor on it, from labels already traced. */
    private static boolean claimTraced(List<Step> path, List<PositionTrace> traces, LongToIntFunction unitOf,
                                       Map<String, UnitAxis> axes, List<Node> claimed) {
        for (int i = 0; i < path.size(); i++) {
            Step step = path.get(i);
            if (!record(step.out(), traces.get(i + 1), unitOf, axes)) {
                return false;
            }
            if (!claimed.contains(step.node())) {
                claimed.add(step.node());
            }
        }
        return true;
    }

    /** Notes the axis along which heads change in a traced tensor; false when more than one axis does. */
    private static boolean record(String tensor, PositionTrace t, LongToIntFunction headOf, Map<String, UnitAxis> axes) {
        long[] d = t.dims();
        long[] stride = PositionTrace.strides(d);
        long[] labels = t.labels();
        int[] head = new int[labels.length];
        for (int e = 0; e < labels.length; e++) {
            head[e] = headOf.applyAsInt(labels[e]);
        }
        int found = -1;
        for (int a = 0; a < d.length; a++) {
            if (varies(head, (int) d[a], (int) stride[a])) {
                if (found >= 0) {
                    return false;
                }
                found = a;
            }
        }
        if (found >= 0) {
            int[] of = new int[(int) d[found]];
            for (int i = 0; i < of.length; i++) {
                of[i] = head[(int) (i * stride[found])];
            }
            axes.put(tensor, new UnitAxis(found, of));
        } else {
            axes.remove(tensor);
        }
        return true;
    }

    /** True when some element's unit differs from the next one's along an axis of this size and stride. */
    private static boolean varies(int[] unit, int size, int stride) {
        int span = size * stride;
        int compared = (size - 1) * stride;
        for (int base = 0; base < unit.length; base += span) {
            for (int i = base; i < base + compared; i++) {
                if (unit[i] != unit[i + stride]) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * An operand added to the scores: fine when it is the same for every head (a mask); a stored per-head table
     * (relative position bias) is bound to the heads; anything else stops the pattern.
     */
    private boolean perHeadOperand(Step step, String side, PositionTrace scores, LongToIntFunction headOfScore,
                                   int heads, List<PerHeadWeight> perHead, Map<String, UnitAxis> axes,
                                   List<Node> claimed) {
        long[] sd = scores.dims();
        long[] xd = PositionTrace.dimsOf(graph, shapes, side);
        if (xd == null || xd.length > sd.length) {
            return false;
        }
        Map<String, UnitAxis> scoreAxis = new LinkedHashMap<>();
        if (!record("", scores, headOfScore, scoreAxis)) {
            return false;
        }
        UnitAxis along = scoreAxis.get("");
        int offset = sd.length - xd.length;
        if (along == null || along.axis() < offset || xd[along.axis() - offset] == 1) {
            return true;
        }
        List<Step> path = walkBack(side);
        String source = start(path, side);
        String weight = graph.weightSource(source);
        if (weight == null) {
            return false;
        }
        long[] wd = graph.weightDims(weight);
        PositionTrace x = trace(PositionTrace.flatIndex(wd), path);
        if (x == null || !Arrays.equals(x.dims(), xd)) {
            return false;
        }
        long[] wStride = PositionTrace.strides(wd);
        long[] xStride = PositionTrace.strides(xd);
        long[] sStride = PositionTrace.strides(sd);
        for (int a = 0; a < wd.length; a++) {
            if (wd[a] != heads) {
                continue;
            }
            int[] entryOfHead = new int[heads];
            Arrays.fill(entryOfHead, -1);
            boolean consistent = true;
            for (int e = 0; e < scores.labels().length && consistent; e++) {
                long xi = 0;
                for (int i = 0; i < xd.length; i++) {
                    long coord = (e / sStride[i + offset]) % sd[i + offset];
                    xi += (xd[i] == 1 ? 0 : coord) * xStride[i];
                }
                int entry = (int) ((x.labels()[(int) xi] / wStride[a]) % wd[a]);
                int h = headOfScore.applyAsInt(scores.labels()[e]);
                if (entryOfHead[h] < 0) {
                    entryOfHead[h] = entry;
                }
                consistent = entryOfHead[h] == entry;
            }
            if (consistent && Arrays.stream(entryOfHead).distinct().count() == heads) {
                final int axis = a;
                LongToIntFunction headOfEntry = label -> {
                    int entry = (int) ((label / wStride[axis]) % wd[axis]);
                    for (int h = 0; h < heads; h++) {
                        if (entryOfHead[h] == entry) {
                            return h;
                        }
                    }
                    return -1;
                };
                if (!claimPath(PositionTrace.flatIndex(wd), path, headOfEntry, axes, claimed)) {
                    return false;
                }
                perHead.add(new PerHeadWeight(step.node(), weight, a, entryOfHead));
                return true;
            }
        }
        return false;
    }

    /** Every Reshape across units must have a unit count Shears can rewrite; no Gather may pick units. */
    private boolean rewritable(List<Node> claimed, Map<String, UnitAxis> axes, int units) {
        for (Node node : claimed) {
            UnitAxis in = axes.get(node.input(0));
            switch (node.op()) {
                case "Reshape" -> {
                    UnitAxis out = axes.get(node.output(0));
                    if (out != null && !reshapeRewritable(node, out, in, units)) {
                        return false;
                    }
                }
                case "Gather" -> {
                    int rank = shapes.dims(node.input(0)).length;
                    long axis = node.attrInt("axis", 0);
                    if (in != null && (axis < 0 ? axis + rank : axis) == in.axis()) {
                        return false;
                    }
                }
                case "Slice" -> {
                    LayoutChannels.Bounds b = LayoutChannels.Bounds.of(node, shapes::intValue,
                            shapes.dims(node.input(0)).length);
                    int k = in == null || b == null ? -1 : b.indexOf(in.axis());
                    if (k >= 0 && b.steps()[k] != 1) {
                        return false;
                    }
                }
                default -> { }
            }
        }
        return true;
    }

    private boolean reshapeRewritable(Node node, UnitAxis out, UnitAxis in, int units) {
        long[] target = shapes.intValue(node.input(1));
        if (target == null || out.axis() >= target.length) {
            return false;
        }
        long entry = target[out.axis()];
        if (entry == -1) {
            return true;
        }
        if (entry == 0) {
            return in != null && in.axis() == out.axis();
        }
        if (entry % units != 0) {
            return false;
        }
        if (graph.weightSource(node.input(1)) != null) {
            return true;
        }
        Node concat = graph.producer(node.input(1));
        if (concat == null || !concat.op().equals("Concat") || graph.consumers(node.input(1)).size() != 1) {
            return false;
        }
        int offset = 0;
        for (String part : concat.inputs()) {
            long[] d = PositionTrace.dimsOf(graph, shapes, part);
            if (d == null || d.length != 1) {
                return false;
            }
            if (out.axis() < offset + d[0]) {
                return d[0] == 1 && (graph.weightSource(part) != null || Arrays.stream(target).noneMatch(x -> x == -1));
            }
            offset += (int) d[0];
        }
        return false;
    }

    /** True when a tensor inside the block is read by something outside it, other than a shape reader. */
    private boolean escapes(List<Node> claimed, String merged) {
        Set<Node> inside = new HashSet<>(claimed);
        for (Node node : claimed) {
            for (String out : node.outputs()) {
                if (out.isEmpty() || out.equals(merged)) {
                    continue;
                }
                if (graph.isOutput(out) || consumers(out).stream().anyMatch(c -> !inside.contains(c))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<Node> sortedByIndex(List<Node> nodes) {
        List<Node> out = new ArrayList<>(nodes);
        out.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return out;
    }
}
