package io.shears.pruning;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.Shapes;
import io.shears.graph.TensorType;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Channel counts that a graph reads at run time with {@code Shape}. Where such a count only becomes the channel entry
 * of a Reshape target that surgery keeps right (the tensor's own count, or a Concat piece it rewrites), cutting the
 * channels is safe; where it is computed with (a head width as the embedding width over the head count, a scale from
 * it, an Expand or a Range), the count after the cut would be wrong, so those channels keep their width.
 */
final class ChannelCountReads {
    /** Operators that pass a shape vector's entries through unchanged. */
    private static final Set<String> KEEPING = Set.of("Unsqueeze", "Squeeze", "Cast", "Identity");

    private final Graph graph;
    private final Shapes shapes;
    private final ChannelContext ctx;
    private final Map<Integer, AttentionBlock> claimedBy;

    private ChannelCountReads(Graph graph, Shapes shapes, ChannelContext ctx, Map<Integer, AttentionBlock> claimedBy) {
        this.graph = graph;
        this.shapes = shapes;
        this.ctx = ctx;
        this.claimedBy = claimedBy;
    }

    static void check(Graph graph, Shapes shapes, ChannelContext ctx, List<AttentionBlock> attention,
                      Map<Integer, AttentionBlock> claimedBy) {
        ChannelCountReads reads = new ChannelCountReads(graph, shapes, ctx, claimedBy);
        for (Node node : graph.nodes()) {
            boolean readsShape = node.op().equals("Shape") || node.op().equals("Size");
            Layout read = readsShape ? ctx.layout(node.input(0)) : null;
            if (read == null) {
                continue;
            }
            if (attention.stream().anyMatch(b -> b.bound() && b.unitAxis(node.input(0)) != null)) {
                continue; // an attention block rewrites every shape entry its own units reach
            }
            if (node.op().equals("Shape")) {
                reads.follow(node, read);
            } else if (node.op().equals("Size") && !graph.consumers(node.output(0)).isEmpty()) {
                ctx.freeze(read, "node " + node + ": the element count, which the channels are part of, is read at "
                        + "run time");
            }
        }
    }

    /** Follows the entries of one Shape's output that hold the channel count, to every node that uses them. */
    private void follow(Node shape, Layout read) {
        long[] dims = shapes.dims(shape.input(0));
        long start = shape.attrInt("start", 0);
        long end = shape.attrInt("end", dims.length);
        int from = (int) (start < 0 ? start + dims.length : start);
        int to = (int) Math.min(end < 0 ? end + dims.length : end, dims.length);
        if (read.axis() < from || read.axis() >= to) {
            return;
        }
        boolean[] first = new boolean[to - from];
        first[read.axis() - from] = true;
        Deque<Map.Entry<String, boolean[]>> work = new ArrayDeque<>();
        work.add(Map.entry(shape.output(0), first));
        while (!work.isEmpty()) {
            Map.Entry<String, boolean[]> at = work.poll();
            if (graph.isOutput(at.getKey())) {
                ctx.freeze(read, "node " + shape + ": the channel count is read into a graph output");
            }
            for (Node consumer : graph.consumers(at.getKey())) {
                String why = step(consumer, at.getKey(), at.getValue(), read, work);
                if (why != null) {
                    ctx.freeze(read, "node " + consumer + ": " + why + " the channel count of '" + shape.input(0)
                            + "', read at run time");
                }
            }
        }
    }

    /** Moves the marks through one consumer; the reason to freeze when the consumer computes with a marked entry. */
    private String step(Node node, String tensor, boolean[] marks, Layout read,
                        Deque<Map.Entry<String, boolean[]>> work) {
        if (!any(marks)) {
            return null;
        }
        int input = node.inputs().indexOf(tensor);
        if (node.op().equals("Reshape") && input == 1) {
            return reshapeTarget(node, marks);
        }
        boolean[] out = switch (node.op()) {
            case "Gather" -> gathered(node, marks);
            case "Slice" -> input == 0 ? sliced(node, marks) : null;
            case "Concat" -> concatenated(node, tensor, marks);
            case "Reshape" -> marks;
            default -> KEEPING.contains(node.op()) ? marks : null;
        };
        if (out == null) {
            return spelledOut(node, tensor, marks, read) ? null : "computes with";
        }
        work.add(Map.entry(node.output(0), out));
        return null;
    }

    /**
     * Where a node computes with nothing but the count (an integer, not also the batch size), surgery can spell out
     * the original count in its place.
     */
    private boolean spelledOut(Node node, String tensor, boolean[] marks, Layout read) {
        long[] value = shapes.intValue(tensor);
        TensorType type = shapes.type(tensor);
        boolean integer = type != null && (type.elemType() == TensorProto.DataType.INT64_VALUE
                || type.elemType() == TensorProto.DataType.INT32_VALUE);
        for (boolean m : marks) {
            if (!m) {
                return false;
            }
        }
        if (value == null || !integer) {
            return false;
        }
        for (int i = 0; i < node.inputCount(); i++) {
            if (node.input(i).equals(tensor)) {
                ctx.spellOut(new CountLiteral(node, i, value, read.atoms()));
            }
        }
        return true;
    }

    private String reshapeTarget(Node node, boolean[] marks) {
        Layout out = ctx.layout(node.output(0));
        AttentionBlock block = claimedBy.get(node.index());
        for (int j = 0; j < marks.length; j++) {
            if (!marks[j]) {
                continue;
            }
            if (block != null) {
                AttentionBlock.UnitAxis units = block.unitAxis(node.output(0));
                if (units == null || units.axis() != j || ctx.entries().rewritablePart(node.input(1), j, node) == null) {
                    return "an attention block reshapes with";
                }
            } else if (out == null || out.axis() != j) {
                return "a Reshape puts on another axis";
            }
        }
        return null;
    }

    private boolean[] gathered(Node node, boolean[] marks) {
        long[] indices = shapes.intValue(node.input(1));
        if (node.attrInt("axis", 0) != 0 || indices == null) {
            return null;
        }
        boolean[] out = new boolean[indices.length];
        for (int i = 0; i < indices.length; i++) {
            long k = indices[i] < 0 ? indices[i] + marks.length : indices[i];
            out[i] = k >= 0 && k < marks.length && marks[(int) k];
        }
        return out;
    }

    private boolean[] sliced(Node node, boolean[] marks) {
        LayoutChannels.Bounds b = LayoutChannels.Bounds.of(node, shapes::intValue, 1);
        int k = b == null ? -1 : b.indexOf(0);
        if (k < 0) {
            return b == null ? null : marks;
        }
        long[] d = shapes.dims(node.output(0));
        boolean[] out = new boolean[(int) d[0]];
        long at = b.start(k, marks.length);
        for (int i = 0; i < out.length; i++, at += b.steps()[k]) {
            out[i] = marks[(int) at];
        }
        return out;
    }

    private boolean[] concatenated(Node node, String tensor, boolean[] marks) {
        long[] d = shapes.dims(node.output(0));
        if (d == null || d.length != 1) {
            return null;
        }
        boolean[] out = new boolean[(int) d[0]];
        int offset = 0;
        for (String in : node.inputs()) {
            long[] part = PositionTrace.dimsOf(graph, shapes, in);
            if (in.equals(tensor)) {
                System.arraycopy(marks, 0, out, offset, Math.min(marks.length, out.length - offset));
            }
            offset += part == null || part.length == 0 ? 1 : (int) part[0];
        }
        return out;
    }

    private static boolean any(boolean[] marks) {
        for (boolean m : marks) {
            if (m) {
                return true;
            }
        }
        return false;
    }
}
