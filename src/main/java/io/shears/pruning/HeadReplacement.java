package io.shears.pruning;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.onnx.TensorValues;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Replaces a classifier's head for transfer to a dataset with another number of classes: the layer that produces the
 * model's single output (a Gemm, a MatMul with a stored weight and optionally an Add of a stored bias, or a 1x1 Conv)
 * gets fresh, seeded weights of the new size and a zero bias; every other tensor is kept byte for byte.
 *
 * <p>The head is found by walking back from the output through operators that do not mix classes (Flatten, Squeeze,
 * Identity, GlobalAveragePool, Relu, Softmax, LogSoftmax, Sigmoid, Dropout, and a Reshape whose target shape does not
 * spell out the class count), each read by the next step only. Anything else ends the walk with an error naming the
 * node, as does a head whose weight other nodes share.
 *
 * <p>The new weight is drawn like PyTorch's default {@code nn.Linear}/{@code nn.Conv2d} initialisation (Kaiming
 * uniform with a = sqrt(5)): uniform in {@code [-1/sqrt(fanIn), 1/sqrt(fanIn)]}, from a {@link SplittableRandom} with the
 * given seed, so the same seed gives the same bytes. Declared shapes (graph output and value_info along the walk) get
 * the new class count on axis 1.
 *
 * <p>It is pure ONNX graph surgery (no DJL), like the pruner's, so the command line and the workers can apply it
 * before any engine starts; that is why it lives in {@code pruning} and not in {@code engine}.
 */
public final class HeadReplacement {
    /** When to replace: {@code auto} only when the class counts differ, {@code keep} never, {@code replace} always. */
    public enum Mode {
        AUTO, KEEP, REPLACE;

        public static Mode parse(String text) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(text.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("head must be one of auto, keep, replace; got '" + text + "'");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param model      the model, the input itself when nothing was replaced
     * @param replaced   whether the head was replaced
     * @param headNode   name (or description) of the head's node; null when it was not looked for
     * @param oldClasses the model's output size before
     * @param newClasses the output size after
     */
    public record Result(ModelProto model, boolean replaced, String headNode, long oldClasses, long newClasses) {
    }

    private static final Set<String> PASS_THROUGH = Set.of("Flatten", "Squeeze", "Identity", "GlobalAveragePool",
            "Relu", "Softmax", "LogSoftmax", "Sigmoid", "Dropout", "Reshape");

    private HeadReplacement() {
    }

    /** Applies {@code mode} for a dataset of {@code classes} classes; {@code seed} seeds a new head. */
    public static Result apply(ModelProto model, int classes, Mode mode, long seed) {
        if (classes < 1) {
            throw new IllegalArgumentException("class count must be at least 1, is " + classes);
        }
        Graph graph = new Graph(model);
        Head head = mode == Mode.REPLACE ? find(graph) : null;
        long current = head != null ? head.classes : declaredClasses(graph);
        if (current < 0) {
            head = find(graph);
            current = head.classes;
        }
        if (mode == Mode.KEEP || (mode == Mode.AUTO && current == classes)) {
            if (current != classes) {
                throw new HeadReplacementException(HeadReplacementException.DATASET_CLASSES_MISMATCH, "the dataset has "
                        + classes + " classes but the model outputs " + current + " (head: keep); use head auto or "
                        + "replace to give the model a new head");
            }
            return new Result(model, false, head == null ? null : head.node.name(), current, classes);
        }
        if (head == null) {
            head = find(graph);
        }
        return new Result(replace(graph, head, classes, seed), true, head.node.name(), head.classes, classes);
    }

    /** The model's output size as declared on axis 1 of its single output, or -1 when not declared. */
    static long declaredClasses(Graph graph) {
        ModelProto model = graph.model();
        if (model.getGraph().getOutputCount() != 1) {
            return -1;
        }
        ValueInfoProto out = model.getGraph().getOutput(0);
        if (!out.getType().hasTensorType() || !out.getType().getTensorType().hasShape()) {
            return -1;
        }
        TensorShapeProto shape = out.getType().getTensorType().getShape();
        if (shape.getDimCount() < 2 || !shape.getDim(1).hasDimValue()) {
            return -1;
        }
        return shape.getDim(1).getDimValue();
    }

    /** The head layer: its node, the optional separate bias Add, the tensors along the walk. */
    private record Head(Node node, Node biasAdd, long classes, long fanIn, List<String> walked) {
    }

    private static Head find(Graph graph) {
        if (graph.outputs().size() != 1) {
            throw new HeadReplacementException(HeadReplacementException.HEAD_NOT_IDENTIFIED, "the model has "
                    + graph.outputs().size() + " outputs; head replacement needs a classifier with one output");
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

    private static Head gemm(Graph graph, Node node, List<String> walked) {
        long[] b = storedWeight(graph, node, 1);
        if (b.length != 2 || node.attrInt("transA", 0) != 0) {
            throw refuse(node, "a Gemm head must have a 2-D stored weight and transA = 0");
        }
        boolean transB = node.attrInt("transB", 0) != 0;
        if (node.inputCount() > 2 && !node.input(2).isEmpty()) {
            storedWeight(graph, node, 2);
        }
        return new Head(node, null, transB ? b[0] : b[1], transB ? b[1] : b[0], walked);
    }

    private static Head matMul(Graph graph, Node node, Node biasAdd, List<String> walked) {
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
        return new Head(node, biasAdd, b[1], b[0], walked);
    }

    private static Head conv(Graph graph, Node node, List<String> walked) {
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
        return new Head(node, null, w[0], w[1], walked);
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
        return new HeadReplacementException(HeadReplacementException.HEAD_NOT_IDENTIFIED, "cannot replace the "
                + "classifier head at node " + node + ": " + why);
    }

    private static ModelProto replace(Graph graph, Head head, long classes, long seed) {
        GraphProto.Builder g = graph.model().getGraph().toBuilder();
        SplittableRandom random = new SplittableRandom(seed);
        Node node = head.node;
        long[] oldWeight = graph.weightDims(node.input(1));
        long[] newDims = oldWeight.clone();
        switch (node.op()) {
            case "Gemm" -> newDims[node.attrInt("transB", 0) != 0 ? 0 : 1] = classes;
            case "MatMul" -> newDims[1] = classes;
            default -> newDims[0] = classes;
        }
        float bound = (float) (1.0 / Math.sqrt(head.fanIn));
        float[] weight = new float[Math.toIntExact(classes * head.fanIn)];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) random.nextDouble(-bound, bound);
        }
        if (node.op().equals("Gemm") && node.attrInt("transB", 0) == 0) {
            weight = transpose(weight, classes, head.fanIn);
        }
        Set<String> retired = new HashSet<>();
        setWeight(graph, g, node, 1, newDims, weight, retired);
        Node biasNode = head.biasAdd != null ? head.biasAdd : node;
        int biasInput = head.biasAdd != null ? (graph.weight(head.biasAdd.input(0)) == null ? 1 : 0) : 2;
        if (biasNode.inputCount() > biasInput && !biasNode.input(biasInput).isEmpty()) {
            long[] oldBias = graph.weightDims(biasNode.input(biasInput));
            long[] biasDims = oldBias.length == 0 ? new long[] {classes} : oldBias.clone();
            if (biasDims.length > 0) {
                biasDims[biasDims.length - 1] = classes;
            }
            setWeight(graph, g, biasNode, biasInput, biasDims, new float[Math.toIntExact(classes)], retired);
        }
        removeUnread(g, retired);
        Set<String> walked = new HashSet<>(head.walked);
        walked.addAll(node.outputs());
        for (int i = 0; i < g.getOutputCount(); i++) {
            g.setOutput(i, withClasses(g.getOutput(i), walked, classes));
        }
        for (int i = 0; i < g.getValueInfoCount(); i++) {
            g.setValueInfo(i, withClasses(g.getValueInfo(i), walked, classes));
        }
        return graph.model().toBuilder().setGraph(g).build();
    }

    private static float[] transpose(float[] rowMajor, long rows, long cols) {
        float[] t = new float[rowMajor.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[Math.toIntExact(c * rows + r)] = rowMajor[Math.toIntExact(r * cols + c)];
            }
        }
        return t;
    }

    /**
     * Gives input {@code i} of {@code node} a new value. An initializer read directly is replaced in place, under its
     * name; a weight behind Identity or in a Constant node gets a new initializer and the old source is retired.
     */
    private static void setWeight(Graph graph, GraphProto.Builder g, Node node, int i, long[] dims, float[] values,
                                  Set<String> retired) {
        String name = node.input(i);
        for (int k = 0; k < g.getInitializerCount(); k++) {
            if (g.getInitializer(k).getName().equals(name)) {
                g.setInitializer(k, TensorValues.floatTensor(name, dims, values));
                return;
            }
        }
        String fresh = uniqueName(graph, name + "_head");
        g.addInitializer(TensorValues.floatTensor(fresh, dims, values));
        NodeProto.Builder b = g.getNode(node.index()).toBuilder();
        b.setInput(i, fresh);
        g.setNode(node.index(), b);
        retired.add(name);
    }

    private static String uniqueName(Graph graph, String base) {
        Set<String> used = new HashSet<>(graph.initializers().keySet());
        for (Node n : graph.nodes()) {
            used.addAll(n.inputs());
            used.addAll(n.outputs());
        }
        String name = base;
        for (int k = 1; used.contains(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }

    /** Removes the retired tensors and the Identity/Constant nodes behind them that nothing reads any more. */
    private static void removeUnread(GraphProto.Builder g, Set<String> retired) {
        List<String> pending = new ArrayList<>(retired);
        while (!pending.isEmpty()) {
            String name = pending.remove(pending.size() - 1);
            boolean read = g.getNodeList().stream().anyMatch(n -> n.getInputList().contains(name))
                    || g.getOutputList().stream().anyMatch(o -> o.getName().equals(name));
            if (read) {
                continue;
            }
            for (int k = 0; k < g.getInitializerCount(); k++) {
                if (g.getInitializer(k).getName().equals(name)) {
                    g.removeInitializer(k);
                    break;
                }
            }
            for (int k = 0; k < g.getNodeCount(); k++) {
                NodeProto n = g.getNode(k);
                if (n.getOutputCount() == 1 && n.getOutput(0).equals(name)
                        && (n.getOpType().equals("Constant") || n.getOpType().equals("Identity"))) {
                    g.removeNode(k);
                    if (n.getOpType().equals("Identity")) {
                        pending.add(n.getInput(0));
                    }
                    break;
                }
            }
        }
    }

    private static ValueInfoProto withClasses(ValueInfoProto info, Set<String> walked, long classes) {
        if (!walked.contains(info.getName()) || !info.getType().hasTensorType()
                || !info.getType().getTensorType().hasShape()
                || info.getType().getTensorType().getShape().getDimCount() < 2) {
            return info;
        }
        ValueInfoProto.Builder b = info.toBuilder();
        TensorShapeProto.Builder shape = b.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        shape.setDim(1, TensorShapeProto.Dimension.newBuilder().setDimValue(classes));
        return b.build();
    }
}
