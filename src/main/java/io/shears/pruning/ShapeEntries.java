package io.shears.pruning;

import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.Shapes;

import java.util.Set;

/**
 * Where one entry of a shape tensor that an exporter computed comes from. Exporters build a Reshape target from
 * pieces ({@code Shape → Gather → Unsqueeze → Concat}); a channel count among them is either read from a tensor at run
 * time, which stays right when that tensor's channels are cut, or a piece of the Concat that surgery can replace.
 */
final class ShapeEntries {
    /** Operators that pass a shape vector's entries through unchanged. */
    private static final Set<String> KEEPING = Set.of("Unsqueeze", "Squeeze", "Cast", "Identity", "Reshape");

    /** A dimension of a tensor, read at run time by {@code Shape}. */
    record DimensionRead(String tensor, int axis) {
    }

    /** One input of a Concat that builds a shape, holding a single entry. */
    record ConcatPart(Node concat, int input) {
    }

    private final Graph graph;
    private final Shapes shapes;

    ShapeEntries(Graph graph, Shapes shapes) {
        this.graph = graph;
        this.shapes = shapes;
    }

    /** The dimension that entry {@code index} of {@code tensor} reads, or null when it is stored or computed. */
    DimensionRead dimensionRead(String tensor, int index) {
        Node node = graph.producer(tensor);
        if (node == null || index < 0) {
            return null;
        }
        switch (node.op()) {
            case "Shape" -> {
                long[] dims = shapes.dims(node.input(0));
                long start = node.attrInt("start", 0);
                int from = (int) (start < 0 ? start + dims.length : start);
                return new DimensionRead(node.input(0), from + index);
            }
            case "Concat" -> {
                ConcatPart part = partHolding(node, index);
                int offset = offsetOf(node, part == null ? -1 : part.input());
                return part == null ? null : dimensionRead(node.input(part.input()), index - offset);
            }
            case "Gather" -> {
                long[] indices = shapes.intValue(node.input(1));
                long[] source = PositionTrace.dimsOf(graph, shapes, node.input(0));
                if (node.attrInt("axis", 0) != 0 || indices == null || source == null || source.length != 1
                        || index >= indices.length) {
                    return null;
                }
                long i = indices[index];
                return dimensionRead(node.input(0), (int) (i < 0 ? i + source[0] : i));
            }
            case "Slice" -> {
                LayoutChannels.Bounds b = LayoutChannels.Bounds.of(node, shapes::intValue, 1);
                long[] source = PositionTrace.dimsOf(graph, shapes, node.input(0));
                if (b == null || source == null || source.length != 1 || b.indexOf(0) < 0) {
                    return null;
                }
                int k = b.indexOf(0);
                return dimensionRead(node.input(0), (int) (b.start(k, source[0]) + (long) index * b.steps()[k]));
            }
            default -> {
                return KEEPING.contains(node.op()) ? dimensionRead(node.input(0), index) : null;
            }
        }
    }

    /**
     * The single-entry piece of the Concat that builds {@code target} and holds entry {@code index}, when nothing
     * but {@code reader} reads that Concat; null otherwise.
     */
    ConcatPart rewritablePart(String target, int index, Node reader) {
        Node concat = graph.producer(target);
        if (concat == null || !concat.op().equals("Concat") || graph.isOutput(target)
                || graph.consumers(target).stream().anyMatch(c -> c != reader)) {
            return null;
        }
        ConcatPart part = partHolding(concat, index);
        if (part == null) {
            return null;
        }
        long[] d = PositionTrace.dimsOf(graph, shapes, concat.input(part.input()));
        return d != null && PositionTrace.count(d) == 1 ? part : null;
    }

    private ConcatPart partHolding(Node concat, int index) {
        int offset = 0;
        for (int i = 0; i < concat.inputCount(); i++) {
            long[] d = PositionTrace.dimsOf(graph, shapes, concat.input(i));
            if (d == null || d.length != 1) {
                return null;
            }
            if (index < offset + d[0]) {
                return new ConcatPart(concat, i);
            }
            offset += (int) d[0];
        }
        return null;
    }

    private int offsetOf(Node concat, int input) {
        int offset = 0;
        for (int i = 0; i < input; i++) {
            offset += (int) PositionTrace.dimsOf(graph, shapes, concat.input(i))[0];
        }
        return offset;
    }
}
