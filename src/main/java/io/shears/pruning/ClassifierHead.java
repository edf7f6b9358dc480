package io.shears.pruning;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.onnx.TensorValues;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A classifier's head: the layer that produces its single output's class scores, a Gemm, a MatMul with a stored
 * weight and optionally an Add of a stored bias, or a 1x1 Conv (SqueezeNet's, behind a GlobalAveragePool). Head
 * replacement gives it fresh weights for a new class count; fine-tuning with a frozen backbone trains it alone.
 *
 * <p>It is found by walking back from the output through operators that do not mix classes (see
 * {@link #PASS_THROUGH}, and a Reshape whose target shape does not spell out the class count), each read by the next
 * step only. Anything else ends the walk with {@link HeadReplacementException#HEAD_NOT_IDENTIFIED} naming the node, as
 * does a head whose weight other nodes share.
 *
 * @param node    the head layer
 * @param biasAdd the Add of the MatMul's bias, or null
 * @param classes the layer's output size
 * @param fanIn   the layer's input size
 * @param walked  the tensors from the graph output back to the layer's output
 */
public record ClassifierHead(Node node, Node biasAdd, long classes, long fanIn, List<String> walked) {
    /** Operators between the head layer and the output that keep one value per class. */
    public static final Set<String> PASS_THROUGH = Set.of("Flatten", "Squeeze", "Identity", "GlobalAveragePool",
            "Relu", "Softmax", "LogSoftmax", "Sigmoid", "Dropout", "Reshape");

    public ClassifierHead {
        walked = List.copyOf(walked);
    }

    /** The stored tensors the head reads, in input order: its weight and its bias (on the layer or its Add). */
    public List<String> storedInputs(Graph graph) {
        List<String> names = new ArrayList<>();
        for (Node n : biasAdd == null ? List.of(node) : List.of(node, biasAdd)) {
            for (String input : n.inputs()) {
                if (!input.isEmpty() && graph.weight(input) != null && !names.contains(input)) {
                    names.add(input);
                }
            }
        }
        return names;
    }

    /**
     * The class count of a classifier's output shape: axis 1 of {@code [N, classes]}, or of {@code [N, classes, 1,
     * ...]} as a 1x1 Conv head leaves it without a Flatten; -1 when the shape is not such, or its class count is not
     * a known positive size.
     */
    public static long declaredClasses(List<Long> outputShape) {
        if (outputShape == null || outputShape.size() < 2) {
            return -1;
        }
        for (int d = 2; d < outputShape.size(); d++) {
            if (outputShape.get(d) == null || outputShape.get(d) != 1) {
                return -1;
            }
        }
        Long classes = outputShape.get(1);
        return classes == null || classes < 1 ? -1 : classes;
    }

    /** The head of the graph's single output; throws {@link HeadReplacementException} when there is none to find. */
    public static ClassifierHead find(Graph graph) {
        if (graph.outputs().size() != 1) {
            throw new HeadReplacementException(HeadReplacementException.HEAD_NOT_IDENTIFIED, "the model has "
                    + graph.outputs().size() + " outputs; its head can be found only in a classifier with one output");
        }
        String tensor = graph.outputs().get(0);
        List<String> walked = new ArrayList<>();
        while (true) {
            walked.add(tensor);
            Node node = graph.producer(tensor);
            if (node == null) {
                throw new HeadReplacementException(HeadReplacementException.HEAD_NOT_IDENTIFIED, "the output '"
                        + graph.outputs().get(0) + "' is not computed by a Gemm, MatMul or 1x1 Conv layer");
            }
            if (walked.size() > 1 && (graph.consumers(tensor).size() != 1 || graph.isOutput(tensor))) {
                throw refuse(node, "its output '" + tensor + "' is also read elsewhere");
            }
            String op = node.domain().isEmpty() ? node.op() : node.domain() + "." + node.op();
            switch (op) {
                case "Gemm" -> {
                    return gemm(graph, node, walked);
                }
                case "MatMul" -> {
                    return matMul(graph, node, null, walked);
                }
                case "Conv" -> {
                    return conv(graph, node, walked);
                }
                case "Add" -> {
                    Node matMul = addOfMatMul(graph, node);
                    if (matMul == null) {
                        throw refuse(node, "an Add that is not a MatMul's bias");
                    }
                    walked.add(node.input(graph.weight(node.input(0)) == null ? 0 : 1));
                    return matMul(graph, matMul, node, walked);
                }
                default -> {
                    if (!PASS_THROUGH.contains(op)) {
                        throw refuse(node, "Shears cannot replace a head that ends in " + op);
                    }
                    if (op.equals("Reshape")) {
                        checkReshape(graph, node);
                    }
                    tensor = node.input(0);
                }
            }
        }
    }

    private static ClassifierHead gemm(Graph graph, Node node, List<String> walked) {
        long[] b = storedWeight(graph, node, 1);
        if (b.length != 2 || node.attrInt("transA", 0) != 0) {
            throw refuse(node, "a Gemm head must have a 2-D stored weight and transA = 0");
        }
        boolean transB = node.attrInt("transB", 0) != 0;
        if (node.inputCount() > 2 && !node.input(2).isEmpty()) {
            storedWeight(graph, node, 2);
        }
        return new ClassifierHead(node, null, transB ? b[0] : b[1], transB ? b[1] : b[0], walked);
    }

    private static ClassifierHead matMul(Graph graph, Node node, Node biasAdd, List<String> walked) {
        long[] b = storedWeight(graph, node, 1);
        if (b.length != 2 || graph.weight(node.input(0)) != null) {
            throw refuse(node, "a MatMul head must read computed features times a 2-D stored weight");
        }
        if (biasAdd != null) {
            int stored = graph.weight(biasAdd.input(0)) == null ? 1 : 0;
            long[] bias = storedWeight(graph, biasAdd, stored);
            if (TensorValues.elementCount(graph.weight(biasAdd.input(stored))) != b[1] || bias.length > 2) {
                throw refuse(biasAdd, "its bias does not have one value per class");
            }
        }
        return new ClassifierHead(node, biasAdd, b[1], b[0], walked);
    }

    private static ClassifierHead conv(Graph graph, Node node, List<String> walked) {
        long[] w = storedWeight(graph, node, 1);
        for (int d = 2; d < w.length; d++) {
            if (w[d] != 1) {
                throw refuse(node, "a Conv head must be 1x1, this one's weight is "
                        + Arrays.toString(w));
            }
        }
        if (node.attrInt("group", 1) != 1) {
            throw refuse(node, "a Conv head must not be grouped");
        }
        if (node.inputCount() > 2 && !node.input(2).isEmpty()) {
            storedWeight(graph, node, 2);
        }
        return new ClassifierHead(node, null, w[0], w[1], walked);
    }

    private static Node addOfMatMul(Graph graph, Node add) {
        for (int i = 0; i < 2 && i < add.inputCount(); i++) {
            Node p = graph.producer(add.input(i));
            if (p != null && p.op().equals("MatMul") && graph.weight(add.input(1 - i)) != null
                    && graph.consumers(add.input(i)).size() == 1) {
                return p;
            }
        }
        return null;
    }

    private static void checkReshape(Graph graph, Node node) {
        TensorProto shape = graph.weight(node.input(1));
        if (shape == null) {
            throw refuse(node, "a Reshape to a computed shape");
        }
        for (long d : TensorValues.longs(shape)) {
            if (d > 1) {
                throw refuse(node, "a Reshape to the fixed shape " + Arrays.toString(TensorValues.longs(
                        shape)) + ", which would not follow a new class count");
            }
        }
    }

    /** The dims of input {@code i}, which must be a stored weight read by this node only. */
    private static long[] storedWeight(Graph graph, Node node, int i) {
        String name = node.input(i);
        TensorProto t = graph.weight(name);
        if (t == null) {
            throw refuse(node, "its input " + i + " ('" + name + "') is computed, not a stored weight");
        }
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw refuse(node, "its weight '" + name + "' is not float32");
        }
        String source = graph.weightSource(name);
        boolean shared = readers(graph, name) != 1 || (!name.equals(source) && readers(graph, source) != 1);
        if (shared) {
            throw refuse(node, "its weight '" + name + "' is shared with other nodes");
        }
        return TensorValues.dims(t);
    }

    private static long readers(Graph graph, String tensor) {
        return graph.nodes().stream().filter(n -> n.inputs().contains(tensor)).count();
    }

    private static HeadReplacementException refuse(Node node, String why) {
        return new HeadReplacementException(HeadReplacementException.HEAD_NOT_IDENTIFIED, "cannot identify the "
                + "classifier head at node " + node + ": " + why);
    }
}
