package io.shears.pruning;

import io.shears.graph.CostReport;
import io.shears.graph.Graph;
import io.shears.graph.Shapes;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The channel dependencies of a model: its groups, and for every activation and weight axis the channel behind each
 * position. Built by {@link ChannelAnalyzer}; read by the importance criteria, the solver and the surgeon.
 */
public final class ChannelAnalysis {
    private final Graph graph;
    private final Shapes shapes;
    private final CostReport cost;
    private final List<ChannelGroup> groups;
    private final Map<String, Layout> layouts;
    private final List<WeightAxis> weightAxes;
    private final int[] classOfAtom;
    private final int[] groupOfClass;
    private final List<AttentionBlock> attention;
    private final Map<Integer, AttentionBlock> attentionNodes;
    private final List<CountLiteral> countLiterals;
    private final ShapeEntries entries;

    ChannelAnalysis(Graph graph, Shapes shapes, CostReport cost, List<ChannelGroup> groups, Map<String, Layout> layouts,
                    List<WeightAxis> weightAxes, int[] classOfAtom, int[] groupOfClass, List<AttentionBlock> attention,
                    List<CountLiteral> countLiterals, ShapeEntries entries) {
        this.graph = graph;
        this.shapes = shapes;
        this.cost = cost;
        this.groups = groups;
        this.layouts = layouts;
        this.weightAxes = weightAxes;
        this.classOfAtom = classOfAtom;
        this.groupOfClass = groupOfClass;
        this.attention = List.copyOf(attention);
        this.attentionNodes = ChannelAnalyzer.claims(this.attention);
        this.countLiterals = List.copyOf(countLiterals);
        this.entries = entries;
    }

    /** Every attention block found, bound or not: their nodes are traced and rewritten by the block, not by rules. */
    List<AttentionBlock> attention() {
        return attention;
    }

    /** The block that claims each node, by node index. */
    Map<Integer, AttentionBlock> attentionNodes() {
        return attentionNodes;
    }

    /** The ids of the groups whose channels are attention units (heads, or positions of the head width). */
    public Set<Integer> attentionGroups() {
        Set<Integer> ids = new TreeSet<>();
        for (AttentionBlock block : attention) {
            if (block.bound()) {
                Arrays.stream(block.unitAtoms()).forEach(a -> ids.add(groupOf(classOf(a))));
            }
        }
        return ids;
    }

    /** Where the entries of the graph's computed shape tensors come from. */
    ShapeEntries entries() {
        return entries;
    }

    List<CountLiteral> countLiterals() {
        return countLiterals;
    }

    public Graph graph() {
        return graph;
    }

    public Shapes shapes() {
        return shapes;
    }

    public CostReport cost() {
        return cost;
    }

    public List<ChannelGroup> groups() {
        return groups;
    }

    public List<ChannelGroup> prunableGroups() {
        return groups.stream().filter(g -> !g.frozen()).toList();
    }

    public List<ChannelGroup> frozenGroups() {
        return groups.stream().filter(ChannelGroup::frozen).toList();
    }

    public int classCount() {
        return groupOfClass.length;
    }

    Map<String, Layout> layouts() {
        return layouts;
    }

    List<WeightAxis> weightAxes() {
        return weightAxes;
    }

    int classOf(int atom) {
        return classOfAtom[atom];
    }

    int groupOf(int classId) {
        return groupOfClass[classId];
    }

    /** For each position of an activation's channel axis, its channel; null when the tensor has no tracked channels. */
    public int[] channelsOf(String tensor) {
        Layout l = layouts.get(tensor);
        if (l == null) {
            return null;
        }
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = classOfAtom[l.atoms()[i]];
        }
        return out;
    }

    /** The axis of an activation that carries channels, or -1. */
    public int channelAxisOf(String tensor) {
        Layout l = layouts.get(tensor);
        return l == null ? -1 : l.axis();
    }
}
