package io.shears.pruning;

import io.shears.graph.CostModel;
import io.shears.graph.Node;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Gathers a model's frozen channel groups by reason, most MACs first.
 *
 * <p>The MACs a reason holds are those of the layers whose output channels lie in a group frozen for it: the
 * compute whose width that reason fixes. Each layer counts once per reason, and layers that only consume the
 * group's channels are left out, so that the figures of reasons that freeze different groups do not overlap.
 */
public final class FrozenReasons {
    /** Reasons name a node as {@code 'name' (Op)}; most start with {@code node 'name' (Op): }. */
    private static final Pattern NODE_PREFIX = Pattern.compile("^node '[^']*' \\([A-Za-z0-9_.]+\\): ");
    private static final Pattern NODE_REFERENCE = Pattern.compile(" '[^']*' \\([A-Za-z0-9_.]+\\)");

    private FrozenReasons() {
    }

    public static List<FrozenReason> of(ChannelAnalysis analysis) {
        Map<String, BitSet> groupsByReason = new TreeMap<>();
        for (ChannelGroup g : analysis.frozenGroups()) {
            Set<String> reasons = new LinkedHashSet<>();
            g.frozenReasons().forEach(r -> reasons.add(withoutNodeNames(r)));
            reasons.forEach(r -> groupsByReason.computeIfAbsent(r, k -> new BitSet()).set(g.id()));
        }
        List<Layer> layers = producingLayers(analysis);
        long total = analysis.cost().macs();
        List<FrozenReason> out = new ArrayList<>();
        groupsByReason.forEach((reason, groups) -> {
            int channels = groups.stream().mapToObj(analysis.groups()::get).mapToInt(g -> g.width(g.channels())).sum();
            long macs = layers.stream().filter(l -> l.outputGroups().intersects(groups)).mapToLong(Layer::macs).sum();
            double share = total == 0 ? 0 : Math.round(macs * 10_000.0 / total) / 10_000.0;
            out.add(new FrozenReason(reason, groups.cardinality(), channels, macs, share));
        });
        out.sort(Comparator.comparingLong(FrozenReason::macs).reversed()
                .thenComparing(FrozenReason::channels, Comparator.reverseOrder()).thenComparing(FrozenReason::reason));
        return List.copyOf(out);
    }

    /** The reason as the same cause reads at every node: node names and the node prefix removed. */
    static String withoutNodeNames(String reason) {
        return NODE_REFERENCE.matcher(NODE_PREFIX.matcher(reason).replaceFirst("")).replaceAll("");
    }

    /** A node with MACs, and the groups its output channels belong to. */
    private record Layer(long macs, BitSet outputGroups) {
    }

    private static List<Layer> producingLayers(ChannelAnalysis analysis) {
        List<Layer> layers = new ArrayList<>();
        for (Node node : analysis.graph().nodes()) {
            long macs = CostModel.macs(node, analysis.shapes());
            int[] channels = macs == 0 ? null : analysis.channelsOf(node.output(0));
            if (channels != null) {
                BitSet groups = new BitSet();
                for (int c : channels) {
                    groups.set(analysis.groupOf(c));
                }
                layers.add(new Layer(macs, groups));
            }
        }
        return layers;
    }
}
