package io.shears.pruning;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.Shapes;
import io.shears.onnx.ElementType;
import io.shears.onnx.TensorSlicer;
import io.shears.onnx.TensorValues;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes channels physically: slices every bound weight axis, lets each operator's rule rewrite its attributes and
 * shape constants, and updates declared shapes. Names of nodes and tensors stay; nothing else of the model changes,
 * except that a shape computation whose only reader was replaced by a rewritten value is dropped with it.
 */
final class GraphSurgeon implements SurgeryContext {
    private final ChannelAnalysis analysis;
    private final boolean[] pruned;
    private final Graph graph;
    private final Map<String, TensorProto> replaced = new LinkedHashMap<>();
    private final Map<Integer, NodeProto.Builder> editedNodes = new HashMap<>();
    private final List<TensorProto> addedInitializers = new java.util.ArrayList<>();
    /** Tensors that an input replaced by surgery used to read: removed when nothing else reads them. */
    private final List<String> detached = new java.util.ArrayList<>();
    private final Map<Integer, AttentionBlock> attentionNodes;

    private GraphSurgeon(ChannelAnalysis analysis, boolean[] pruned) {
        this.analysis = analysis;
        this.pruned = pruned;
        this.graph = analysis.graph();
        this.attentionNodes = analysis.attentionNodes();
    }

    static ModelProto cut(ChannelAnalysis analysis, boolean[] pruned) {
        boolean any = false;
        for (boolean p : pruned) {
            any |= p;
        }
        if (!any) {
            return analysis.graph().model();
        }
        return new GraphSurgeon(analysis, pruned).apply();
    }

    private ModelProto apply() {
        for (WeightAxis w : analysis.weightAxes()) {
            int[] keep = keptIndices(w.atoms);
            if (keep.length < w.atoms.length) {
                TensorProto current = replaced.containsKey(w.source) ? replaced.get(w.source) : graph.weight(w.source);
                replaced.put(w.source, TensorSlicer.keep(current, w.axis, keep));
            }
        }
        unshareSlicedWeights();
        for (Node node : graph.nodes()) {
            ChannelRule rule = node.domain().isEmpty() ? ChannelRules.rule(node.op()) : null;
            if (rule != null && !attentionNodes.containsKey(node.index())) {
                rule.rewrite(node, this);
            }
        }
        for (AttentionBlock block : analysis.attention()) {
            if (block.bound()) {
                block.rewrite(this);
            }
        }
        for (CountLiteral literal : analysis.countLiterals()) {
            if (java.util.Arrays.stream(literal.atoms()).anyMatch(a -> !kept(a))) {
                replaceInput(literal.node(), literal.input(),
                        analysis.shapes().dims(literal.node().input(literal.input())), literal.value());
            }
        }
        GraphProto.Builder g = graph.model().getGraph().toBuilder();
        g.addAllInitializer(addedInitializers);
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = replaced.get(g.getInitializer(i).getName());
            if (t != null) {
                g.setInitializer(i, t);
            }
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto.Builder edited = editedNodes.get(i);
            NodeProto node = edited != null ? edited.build() : g.getNode(i);
            if (node.getOpType().equals("Constant") && replaced.containsKey(node.getOutput(0))) {
                node = withConstantValue(node, replaced.get(node.getOutput(0)));
            }
            g.setNode(i, node);
        }
        for (int i = 0; i < g.getValueInfoCount(); i++) {
            g.setValueInfo(i, resized(g.getValueInfo(i)));
        }
        for (int i = 0; i < g.getOutputCount(); i++) {
            g.setOutput(i, resized(g.getOutput(i)));
        }
        dropDetached(g);
        return graph.model().toBuilder().setGraph(g).build();
    }

    /**
     * Removes what only fed an input that surgery replaced: the shape computation behind a rewritten head count or
     * slice bound, and the stored value it read. Nothing that anything else still reads is touched.
     */
    private void dropDetached(GraphProto.Builder g) {
        Map<String, Integer> readers = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            n.getInputList().forEach(in -> readers.merge(in, 1, Integer::sum));
        }
        g.getOutputList().forEach(o -> readers.merge(o.getName(), 1, Integer::sum));
        Map<String, Integer> producerOf = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            for (String out : g.getNode(i).getOutputList()) {
                producerOf.put(out, i);
            }
        }
        java.util.Set<String> graphInputs = new java.util.HashSet<>();
        g.getInputList().forEach(in -> graphInputs.add(in.getName()));
        java.util.Set<Integer> removedNodes = new java.util.TreeSet<>();
        java.util.Set<String> removedInitializers = new java.util.HashSet<>();
        java.util.Deque<String> pending = new java.util.ArrayDeque<>(detached);
        while (!pending.isEmpty()) {
            String tensor = pending.pop();
            if (readers.getOrDefault(tensor, 0) > 0 || graphInputs.contains(tensor)) {
                continue;
            }
            Integer producer = producerOf.get(tensor);
            if (producer == null) {
                removedInitializers.add(tensor);
                continue;
            }
            NodeProto n = g.getNode(producer);
            boolean unread = n.getOutputList().stream().allMatch(o -> readers.getOrDefault(o, 0) == 0);
            if (unread && n.getDomain().isEmpty() && removedNodes.add(producer)) {
                for (String in : n.getInputList()) {
                    if (!in.isEmpty()) {
                        readers.merge(in, -1, Integer::sum);
                        pending.push(in);
                    }
                }
            }
        }
        for (int i = g.getInitializerCount() - 1; i >= 0; i--) {
            if (removedInitializers.contains(g.getInitializer(i).getName())) {
                g.removeInitializer(i);
            }
        }
        List<Integer> descending = new java.util.ArrayList<>(removedNodes);
        java.util.Collections.reverse(descending);
        for (int i : descending) {
            g.removeNode(i);
        }
    }

    /**
     * Exporters store identical tensors once (two zero biases of the same length become one initializer and an
     * Identity), so a sliced weight may also be read by a node that does not follow its channels. Such a weight is
     * sliced into a copy for the nodes that bound it, and the others keep reading the original.
     */
    private void unshareSlicedWeights() {
        Map<String, java.util.Set<String>> binders = new HashMap<>();
        for (WeightAxis w : analysis.weightAxes()) {
            binders.computeIfAbsent(w.source, k -> new java.util.HashSet<>()).addAll(w.nodes);
        }
        Map<String, List<Node>> readers = new java.util.LinkedHashMap<>();
        for (Node node : graph.nodes()) {
            if (node.op().equals("Identity")) {
                continue;
            }
            for (String in : node.inputs()) {
                String source = in.isEmpty() ? null : graph.weightSource(in);
                if (source != null && replaced.containsKey(source)) {
                    readers.computeIfAbsent(source, k -> new java.util.ArrayList<>()).add(node);
                }
            }
        }
        readers.forEach((source, nodes) -> {
            java.util.Set<String> bound = binders.getOrDefault(source, java.util.Set.of());
            if (nodes.stream().allMatch(n -> bound.contains(n.name()))) {
                return;
            }
            String copy = "shears/" + source + "/pruned";
            addedInitializers.add(replaced.remove(source).toBuilder().setName(copy).build());
            for (Node n : nodes) {
                if (!bound.contains(n.name())) {
                    continue;
                }
                for (int i = 0; i < n.inputCount(); i++) {
                    if (!n.input(i).isEmpty() && source.equals(graph.weightSource(n.input(i)))) {
                        edit(n).setInput(i, copy);
                    }
                }
            }
        });
    }

    private int[] keptIndices(int[] atoms) {
        int n = 0;
        int[] keep = new int[atoms.length];
        for (int i = 0; i < atoms.length; i++) {
            if (!pruned[analysis.classOf(atoms[i])]) {
                keep[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(keep, n);
    }

    /** A Constant node's value, written back in the attribute form it came in where that form still fits. */
    private static NodeProto withConstantValue(NodeProto node, TensorProto value) {
        NodeProto.Builder b = node.toBuilder();
        for (int a = 0; a < b.getAttributeCount(); a++) {
            AttributeProto attr = b.getAttribute(a);
            switch (attr.getName()) {
                case "value" -> b.setAttribute(a, attr.toBuilder().setT(value.toBuilder().setName(attr.getT().getName())));
                case "value_ints" -> b.setAttribute(a, attr.toBuilder().clearInts()
                        .addAllInts(java.util.Arrays.stream(TensorValues.longs(value)).boxed().toList()));
                case "value_floats" -> {
                    AttributeProto.Builder ab = attr.toBuilder().clearFloats();
                    for (float f : TensorValues.floats(value)) {
                        ab.addFloats(f);
                    }
                    b.setAttribute(a, ab);
                }
                default -> { }
            }
        }
        return b.build();
    }

    private ValueInfoProto resized(ValueInfoProto info) {
        if (!info.getType().hasTensorType()) {
            return info;
        }
        Layout layout = analysis.layouts().get(info.getName());
        if (layout != null) {
            return withDim(info, layout.axis(), keptCount(info.getName()));
        }
        for (AttentionBlock block : analysis.attention()) {
            AttentionBlock.UnitAxis axis = block.bound() ? block.unitAxis(info.getName()) : null;
            if (axis != null) {
                return withDim(info, axis.axis(), block.resized(axis, this));
            }
        }
        return info;
    }

    private static ValueInfoProto withDim(ValueInfoProto info, int axis, long size) {
        TensorShapeProto shape = info.getType().getTensorType().getShape();
        if (axis >= shape.getDimCount() || !shape.getDim(axis).hasDimValue()) {
            return info;
        }
        ValueInfoProto.Builder b = info.toBuilder();
        b.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(axis).setDimValue(size);
        return b.build();
    }

    @Override
    public boolean kept(int atom) {
        return !pruned[analysis.classOf(atom)];
    }

    @Override
    public void replaceInput(Node node, int input, long[] values) {
        replaceInput(node, input, new long[] {values.length}, values);
    }

    /** The same with the stored tensor's dimensions given: a scalar stays a scalar. */
    private void replaceInput(Node node, int input, long[] dims, long[] values) {
        // Named by node index, not node name: names may be empty or repeated, indices are neither.
        String name = "shears/node_" + node.index() + "/input_" + input;
        io.shears.graph.TensorType original = analysis.shapes().type(node.input(input));
        int elementType = original != null ? original.elemType() : TensorProto.DataType.INT64.getNumber();
        TensorProto like = TensorValues.longTensor(name, dims, values).toBuilder()
                .setDataType(elementType).build();
        addedInitializers.add(TensorValues.withLongs(like, values));
        NodeProto.Builder b = edit(node);
        detached.add(b.getInput(input));
        b.setInput(input, name);
    }

    @Override
    public Layout layout(String tensor) {
        return analysis.layouts().get(tensor);
    }

    @Override
    public boolean[] kept(String tensor) {
        Layout l = analysis.layouts().get(tensor);
        boolean[] out = new boolean[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = !pruned[analysis.classOf(l.atoms()[i])];
        }
        return out;
    }

    @Override
    public Shapes shapes() {
        return analysis.shapes();
    }

    @Override
    public ShapeEntries entries() {
        return analysis.entries();
    }

    @Override
    public long[] originalDims(String tensor) {
        long[] d = analysis.shapes().dims(tensor);
        return d != null ? d : graph.weightDims(tensor);
    }

    @Override
    public long[] storedInts(String tensor) {
        if (tensor.isEmpty()) {
            return null;
        }
        TensorProto t = graph.weight(tensor);
        ElementType type = t == null ? null : TensorValues.elementType(t);
        return type == null || type.isFloating() ? null : TensorValues.longs(t);
    }

    private NodeProto.Builder edit(Node node) {
        return editedNodes.computeIfAbsent(node.index(), i -> node.proto().toBuilder());
    }

    @Override
    public void setIntAttribute(Node node, String name, long value) {
        NodeProto.Builder b = edit(node);
        for (int a = 0; a < b.getAttributeCount(); a++) {
            if (b.getAttribute(a).getName().equals(name)) {
                b.setAttribute(a, b.getAttribute(a).toBuilder().setI(value));
                return;
            }
        }
        b.addAttribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value));
    }

    @Override
    public void setIntsAttribute(Node node, String name, long[] values) {
        NodeProto.Builder b = edit(node);
        List<Long> boxed = java.util.Arrays.stream(values).boxed().toList();
        for (int a = 0; a < b.getAttributeCount(); a++) {
            if (b.getAttribute(a).getName().equals(name)) {
                b.setAttribute(a, b.getAttribute(a).toBuilder().clearInts().addAllInts(boxed));
                return;
            }
        }
        b.addAttribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(boxed));
    }

    @Override
    public void replaceStoredInts(String tensor, long[] values) {
        String source = graph.weightSource(tensor);
        replaced.put(source, TensorValues.withLongs(graph.weight(source), values));
    }
}
