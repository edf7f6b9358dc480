package io.shears.engine.interpreter;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.graph.Graph;
import io.shears.graph.Node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nodes of a graph in topological order with their kernels, and after which step each computed tensor is read for
 * the last time, so a forward pass can free intermediates as it goes instead of holding the whole graph's activations.
 */
final class ExecutionPlan {
    /** One node to run; {@code lastReads} are the computed tensors no later step reads. */
    record Step(Node node, OpKernel kernel, List<String> lastReads) {
    }

    private final List<Step> steps;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Set<String> read;

    private ExecutionPlan(List<Step> steps, List<String> inputs, List<String> outputs, Set<String> read) {
        this.steps = steps;
        this.inputs = inputs;
        this.outputs = outputs;
        this.read = read;
    }

    static ExecutionPlan of(Graph graph) {
        List<Node> nodes = graph.nodes();
        List<OpKernel> kernels = new ArrayList<>(nodes.size());
        for (Node node : nodes) {
            kernels.add(Kernels.forNode(node, graph.opset()));
        }
        Set<String> outputs = new LinkedHashSet<>(graph.outputs());
        List<String> outputList = List.copyOf(graph.outputs());
        Map<String, Integer> lastRead = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).inputs()) {
                if (!in.isEmpty()) {
                    lastRead.put(in, i);
                }
            }
        }
        List<List<String>> released = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            released.add(new ArrayList<>());
        }
        for (Map.Entry<String, Integer> e : lastRead.entrySet()) {
            if (!outputs.contains(e.getKey()) && !graph.initializers().containsKey(e.getKey())) {
                released.get(e.getValue()).add(e.getKey());
            }
        }
        List<Step> steps = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            steps.add(new Step(nodes.get(i), kernels.get(i), List.copyOf(released.get(i))));
        }
        List<String> inputs = graph.inputs().stream().map(ValueInfoProto::getName).toList();
        return new ExecutionPlan(List.copyOf(steps), inputs, outputList, Set.copyOf(lastRead.keySet()));
    }

    List<Step> steps() {
        return steps;
    }

    /** The graph inputs the caller feeds, in declaration order (initializers excluded). */
    List<String> inputs() {
        return inputs;
    }

    /** The graph outputs in declaration order. */
    List<String> outputs() {
        return outputs;
    }

    /** Whether a tensor is read by some node or is a graph output, i.e. whether a kernel must produce it. */
    boolean isNeeded(String tensor) {
        return read.contains(tensor) || outputs.contains(tensor);
    }
}
