package io.shears.pruning;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.onnx.TensorValues;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Replaces a classifier's head for transfer to a dataset with another number of classes: the {@link ClassifierHead}
 * gets fresh, seeded weights of the new size and a zero bias; every other tensor is kept byte for byte.
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
            return OptionNames.find(Mode.class, text).orElseThrow(() -> new IllegalArgumentException(
                    "head must be one of " + OptionNames.labels(Mode.class) + "; got '" + text + "'"));
        }

        @Override
        public String toString() {
            return OptionNames.label(this);
        }
    }

    /** What a fine-tuning job does with the head unless told otherwise. */
    public static final Mode DEFAULT_MODE = Mode.AUTO;

    /**
     * @param model      the model, the input itself when nothing was replaced
     * @param replaced   whether the head was replaced
     * @param headNode   name (or description) of the head's node; null when it was not looked for
     * @param oldClasses the model's output size before
     * @param newClasses the output size after
     */
    public record Result(ModelProto model, boolean replaced, String headNode, long oldClasses, long newClasses) {
    }

    private HeadReplacement() {
    }

    /** Applies {@code mode} for a dataset of {@code classes} classes; {@code seed} seeds a new head. */
    public static Result apply(ModelProto model, int classes, Mode mode, long seed) {
        if (classes < 1) {
            throw new IllegalArgumentException("class count must be at least 1, is " + classes);
        }
        Graph graph = new Graph(model);
        ClassifierHead head = mode == Mode.REPLACE ? ClassifierHead.find(graph) : null;
        long current = head != null ? head.classes() : declaredClasses(graph);
        if (current < 0) {
            head = ClassifierHead.find(graph);
            current = head.classes();
        }
        if (mode == Mode.KEEP || (mode == Mode.AUTO && current == classes)) {
            if (current != classes) {
                throw new HeadReplacementException(HeadReplacementException.DATASET_CLASSES_MISMATCH, "the dataset has "
                        + classes + " classes but the model outputs " + current + " (head: keep); use head auto or "
                        + "replace to give the model a new head");
            }
            return new Result(model, false, head == null ? null : head.node().name(), current, classes);
        }
        if (head == null) {
            head = ClassifierHead.find(graph);
        }
        return new Result(replace(graph, head, classes, seed), true, head.node().name(), head.classes(), classes);
    }

    /** The class count the model's single output declares, or -1 when it declares none. */
    static long declaredClasses(Graph graph) {
        ModelProto model = graph.model();
        if (model.getGraph().getOutputCount() != 1) {
            return -1;
        }
        ValueInfoProto out = model.getGraph().getOutput(0);
        if (!out.getType().hasTensorType() || !out.getType().getTensorType().hasShape()) {
            return -1;
        }
        List<Long> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : out.getType().getTensorType().getShape().getDimList()) {
            dims.add(d.hasDimValue() ? d.getDimValue() : -1L);
        }
        return ClassifierHead.declaredClasses(dims);
    }

    private static ModelProto replace(Graph graph, ClassifierHead head, long classes, long seed) {
        GraphProto.Builder g = graph.model().getGraph().toBuilder();
        SplittableRandom random = new SplittableRandom(seed);
        Node node = head.node();
        long[] oldWeight = graph.weightDims(node.input(1));
        long[] newDims = oldWeight.clone();
        switch (node.op()) {
            case "Gemm" -> newDims[node.attrInt("transB", 0) != 0 ? 0 : 1] = classes;
            case "MatMul" -> newDims[1] = classes;
            default -> newDims[0] = classes;
        }
        float bound = (float) (1.0 / Math.sqrt(head.fanIn()));
        float[] weight = new float[Math.toIntExact(classes * head.fanIn())];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) random.nextDouble(-bound, bound);
        }
        if (node.op().equals("Gemm") && node.attrInt("transB", 0) == 0) {
            weight = transpose(weight, classes, head.fanIn());
        }
        Set<String> retired = new HashSet<>();
        setWeight(graph, g, node, 1, newDims, weight, retired);
        Node biasNode = head.biasAdd() != null ? head.biasAdd() : node;
        int biasInput = head.biasAdd() != null ? (graph.weight(head.biasAdd().input(0)) == null ? 1 : 0) : 2;
        if (biasNode.inputCount() > biasInput && !biasNode.input(biasInput).isEmpty()) {
            long[] oldBias = graph.weightDims(biasNode.input(biasInput));
            long[] biasDims = oldBias.length == 0 ? new long[] {classes} : oldBias.clone();
            if (biasDims.length > 0) {
                biasDims[biasDims.length - 1] = classes;
            }
            setWeight(graph, g, biasNode, biasInput, biasDims, new float[Math.toIntExact(classes)], retired);
        }
        removeUnread(g, retired);
        Set<String> walked = new HashSet<>(head.walked());
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
