package io.shears.graph;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.onnx.InvalidModelException;
import io.shears.onnx.ModelProblem;
import io.shears.onnx.TensorValues;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The dataflow view of a model's main graph: nodes in a topological order, who produces and who consumes each tensor,
 * and the weights (initializers and Constant nodes, seen through Identity aliases). Building it validates the graph:
 * duplicate output names, dangling inputs and cycles are refused with their own codes.
 */
public final class Graph {
    private final ModelProto model;
    private final int opset;
    private final List<Node> nodes;
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, TensorProto> constants = new HashMap<>();
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();

    public Graph(ModelProto model) {
        this.model = model;
        this.opset = defaultOpset(model);
        GraphProto g = model.getGraph();
        for (TensorProto t : g.getInitializerList()) {
            if (initializers.put(t.getName(), t) != null) {
                throw duplicate(t.getName(), "two initializers");
            }
        }
        for (ValueInfoProto in : g.getInputList()) {
            if (!initializers.containsKey(in.getName())) {
                inputs.add(in);
            }
        }
        List<Node> inFileOrder = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            Node node = new Node(g.getNode(i), i);
            inFileOrder.add(node);
            for (String out : node.outputs()) {
                if (out.isEmpty()) {
                    continue;
                }
                if (producers.put(out, node) != null || initializers.containsKey(out) || isGraphInput(out)) {
                    throw duplicate(out, "more than one producer");
                }
            }
            if (node.op().equals("Constant") && node.domain().isEmpty()) {
                constants.put(node.output(0), ConstantValues.of(node));
            }
        }
        for (Node node : inFileOrder) {
            for (String in : node.inputs()) {
                if (in.isEmpty()) {
                    continue;
                }
                if (!producers.containsKey(in) && !initializers.containsKey(in) && !isGraphInput(in)) {
                    throw new InvalidModelException(ModelProblem.DANGLING_INPUT,
                            "node " + node + " reads '" + in + "', which no node, initializer or graph input produces");
                }
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
            }
        }
        for (ValueInfoProto out : g.getOutputList()) {
            if (!producers.containsKey(out.getName()) && !initializers.containsKey(out.getName())
                    && !isGraphInput(out.getName())) {
                throw new InvalidModelException(ModelProblem.DANGLING_INPUT,
                        "graph output '" + out.getName() + "' is produced by nothing");
            }
            outputs.add(out.getName());
        }
        this.nodes = topologicalOrder(inFileOrder);
    }

    private static InvalidModelException duplicate(String name, String what) {
        return new InvalidModelException(ModelProblem.DUPLICATE_OUTPUT, "tensor '" + name + "' has " + what);
    }

    private boolean isGraphInput(String name) {
        return inputs.stream().anyMatch(i -> i.getName().equals(name));
    }

    /** Kahn's algorithm, smallest file index first, so a graph already in order keeps its order. */
    private List<Node> topologicalOrder(List<Node> inFileOrder) {
        Map<Node, Integer> pending = new HashMap<>();
        PriorityQueue<Node> ready = new PriorityQueue<>((a, b) -> Integer.compare(a.index(), b.index()));
        for (Node node : inFileOrder) {
            int count = 0;
            for (String in : node.inputs()) {
                if (producers.containsKey(in)) {
                    count++;
                }
            }
            pending.put(node, count);
            if (count == 0) {
                ready.add(node);
            }
        }
        List<Node> order = new ArrayList<>(inFileOrder.size());
        while (!ready.isEmpty()) {
            Node node = ready.poll();
            order.add(node);
            for (String out : node.outputs()) {
                // distinct consumers: a node that reads a tensor twice is listed twice but counted once per read
                for (Node c : new LinkedHashSet<>(consumers.getOrDefault(out, List.of()))) {
                    for (String in : c.inputs()) {
                        if (in.equals(out)) {
                            int left = pending.merge(c, -1, Integer::sum);
                            if (left == 0) {
                                ready.add(c);
                            }
                        }
                    }
                }
            }
        }
        if (order.size() != inFileOrder.size()) {
            Node stuck = inFileOrder.stream().filter(n -> pending.get(n) > 0).findFirst().orElseThrow();
            throw new InvalidModelException(ModelProblem.GRAPH_CYCLE,
                    "the graph has a cycle through node " + stuck);
        }
        return Collections.unmodifiableList(order);
    }

    private static int defaultOpset(ModelProto model) {
        for (OperatorSetIdProto id : model.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                return (int) id.getVersion();
            }
        }
        return 1;
    }

    public ModelProto model() {
        return model;
    }

    public int opset() {
        return opset;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node producer(String tensor) {
        return producers.get(tensor);
    }

    public List<Node> consumers(String tensor) {
        return consumers.getOrDefault(tensor, List.of());
    }

    public List<ValueInfoProto> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    public boolean isOutput(String tensor) {
        return outputs.contains(tensor);
    }

    public Map<String, TensorProto> initializers() {
        return initializers;
    }

    /**
     * The name under which a weight is stored: an initializer name or a Constant node's output, looking through
     * Identity nodes (exporters write deduplicated weights that way). Null when the tensor is computed.
     */
    public String weightSource(String tensor) {
        String name = tensor;
        Deque<String> seen = new ArrayDeque<>();
        while (!name.isEmpty() && !seen.contains(name)) {
            seen.push(name);
            if (initializers.containsKey(name) || constants.containsKey(name)) {
                return name;
            }
            Node p = producers.get(name);
            if (p == null || !p.op().equals("Identity")) {
                return null;
            }
            name = p.input(0);
        }
        return null;
    }

    /** The stored value of a weight (see {@link #weightSource}), or null when the tensor is computed. */
    public TensorProto weight(String tensor) {
        String source = weightSource(tensor);
        if (source == null) {
            return null;
        }
        TensorProto t = initializers.get(source);
        return t != null ? t : constants.get(source);
    }

    public boolean isConstantNodeOutput(String source) {
        return constants.containsKey(source);
    }

    public long[] weightDims(String tensor) {
        TensorProto t = weight(tensor);
        return t == null ? null : TensorValues.dims(t);
    }
}
