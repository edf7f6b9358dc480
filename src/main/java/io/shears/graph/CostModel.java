package io.shears.graph;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.onnx.ElementType;
import io.shears.onnx.TensorValues;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Computes a {@link CostReport} from a graph and its inferred shapes, using each operator's cost rule. */
public final class CostModel {
    private CostModel() {
    }

    /** The node's multiply-accumulates at the inferred shapes; 0 for an operator without a cost rule. */
    public static long macs(Node node, Shapes shapes) {
        OperatorRules.Rule rule = node.domain().isEmpty() ? OperatorRules.rule(node.op()) : null;
        return rule == null ? 0 : rule.cost().macs(node, shapes);
    }

    public static CostReport analyze(Graph graph, Shapes shapes) {
        List<LayerCost> layers = new ArrayList<>();
        long macs = 0;
        for (Node node : graph.nodes()) {
            long nodeMacs = macs(node, shapes);
            long nodeParams = 0;
            Set<String> seen = new HashSet<>();
            if (!node.op().equals("Identity") && !node.op().equals("Constant")) {
                for (String in : node.inputs()) {
                    String source = in.isEmpty() ? null : graph.weightSource(in);
                    if (source != null && seen.add(source) && isFloatWeight(graph.weight(in))) {
                        nodeParams += TensorValues.elementCount(graph.weight(in));
                    }
                }
            }
            if (nodeMacs > 0 || nodeParams > 0) {
                long[] out = shapes.dims(node.output(0));
                layers.add(LayerCost.of(node.name(), node.op(), nodeMacs, nodeParams,
                        out == null ? "" : TensorType.format(out)));
            }
            macs += nodeMacs;
        }
        return new CostReport(macs, totalParams(graph), List.copyOf(layers));
    }

    private static long totalParams(Graph graph) {
        long params = 0;
        for (TensorProto t : graph.initializers().values()) {
            if (isFloatWeight(t)) {
                params += TensorValues.elementCount(t);
            }
        }
        for (Node node : graph.nodes()) {
            if (node.op().equals("Constant") && isFloatWeight(graph.weight(node.output(0)))) {
                params += TensorValues.elementCount(graph.weight(node.output(0)));
            }
        }
        return params;
    }

    private static boolean isFloatWeight(TensorProto t) {
        ElementType type = t == null ? null : TensorValues.elementType(t);
        return type != null && type.isFloating();
    }
}
