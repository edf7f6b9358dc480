package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.graph.Graph;
import io.shears.graph.LayerCost;
import io.shears.graph.Node;

import java.util.List;
import java.util.TreeSet;

/**
 * What a model costs and what of it can be pruned, without pruning: the answer to {@code shears inspect} and to a
 * model upload.
 *
 * @param frozenReasons  the frozen groups gathered by reason, most MACs first
 * @param unsupportedOps operators in the graph that have no channel rule (their channels are frozen)
 */
public record ModelInspection(int opset, List<Tensor> inputs, List<Tensor> outputs, String scope,
                              ModelTotals totals, List<LayerCost> layers, List<GroupSummary> prunableGroups,
                              List<GroupSummary> frozenGroups, List<FrozenReason> frozenReasons,
                              List<String> unsupportedOps) {
    /** A graph input or output with its static shape as analysed. */
    public record Tensor(String name, long[] shape) {
    }

    public static ModelInspection of(ModelProto model, PruningOptions options) {
        ChannelAnalysis analysis = Pruner.analyze(model, options);
        Graph graph = analysis.graph();
        List<Tensor> inputs = graph.inputs().stream()
                .map(i -> new Tensor(i.getName(), analysis.shapes().dims(i.getName()))).toList();
        List<Tensor> outputs = graph.outputs().stream()
                .map(o -> new Tensor(o, analysis.shapes().dims(o))).toList();
        TreeSet<String> unsupported = new TreeSet<>();
        for (Node node : graph.nodes()) {
            if (!node.domain().isEmpty() || ChannelRules.rule(node.op()) == null) {
                unsupported.add((node.domain().isEmpty() ? "" : node.domain() + ".") + node.op());
            }
        }
        return new ModelInspection(graph.opset(), inputs, outputs, options.scope().label(),
                ModelTotals.of(analysis.cost().macs(), analysis.cost().params(), model.getSerializedSize()),
                analysis.cost().layers(),
                analysis.prunableGroups().stream().map(g -> GroupSummary.of(g, g.channels())).toList(),
                analysis.frozenGroups().stream().map(g -> GroupSummary.of(g, g.channels())).toList(),
                FrozenReasons.of(analysis), List.copyOf(unsupported));
    }

}
