package io.shears.pruning;

import io.shears.graph.CostModel;
import io.shears.graph.CostReport;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Traces channel dependencies through a graph with the {@link ChannelRules} and groups the result. */
public final class ChannelAnalyzer {
    static final Set<String> WEIGHTED_MAC_OPS = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

    private ChannelAnalyzer() {
    }

    public static ChannelAnalysis analyze(Graph graph, Shapes shapes, PruningOptions options) {
        ChannelContext ctx = new ChannelContext(graph, shapes, options);
        List<AttentionBlock> attention = AttentionPatterns.find(graph, shapes);
        Map<Integer, AttentionBlock> claimedBy = claims(attention);
        for (Node node : graph.nodes()) {
            AttentionBlock block = claimedBy.get(node.index());
            if (block != null) {
                if (node == block.bindsAt()) {
                    block.bind(ctx, options.attentionUnit());
                }
                continue;
            }
            ChannelRule rule = node.domain().isEmpty() ? ChannelRules.rule(node.op()) : null;
            if (rule == null) {
                ctx.freezeInputs(node, "operator '" + node.op() + "' has no channel rule");
                continue;
            }
            rule.propagate(node, ctx);
            if (WEIGHTED_MAC_OPS.contains(node.op()) && !ctx.isWeight(node.input(1))) {
                ctx.freezeInputs(node, node.op() + " over a computed right-hand side");
                node.outputs().forEach(out -> ctx.freeze(ctx.layout(out), "node " + node + ": output of "
                        + node.op() + " over a computed right-hand side"));
            }
        }
        for (String out : graph.outputs()) {
            ctx.freeze(ctx.layout(out), "reaches the graph output '" + out + "'");
        }
        applyExclusions(graph, ctx, options.exclude());
        return group(graph, shapes, CostModel.analyze(graph, shapes), ctx, attention);
    }

    /** The nodes each attention block traces itself, by node index. */
    static Map<Integer, AttentionBlock> claims(List<AttentionBlock> attention) {
        Map<Integer, AttentionBlock> claimed = new HashMap<>();
        for (AttentionBlock block : attention) {
            block.claimed().forEach(n -> claimed.put(n.index(), block));
        }
        return claimed;
    }

    private static void applyExclusions(Graph graph, ChannelContext ctx, List<String> exclude) {
        for (String name : exclude) {
            Node node = graph.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow(() ->
                    new InvalidPruningOptionsException("exclude names node '" + name + "', which the model does not have"));
            String reason = "node '" + name + "' is excluded by request";
            for (WeightAxis w : ctx.weightAxes().values()) {
                if (w.nodes.contains(node.name())) {
                    ctx.freeze(w.atoms, reason);
                }
            }
            node.outputs().forEach(out -> ctx.freeze(ctx.layout(out), reason));
        }
    }

    private static ChannelAnalysis group(Graph graph, Shapes shapes, CostReport cost, ChannelContext ctx,
                                         List<AttentionBlock> attention) {
        ChannelAtoms atoms = ctx.atoms();
        List<WeightAxis> weightAxes = List.copyOf(ctx.weightAxes().values());
        int[] classOfAtom = new int[atoms.atomCount()];
        Arrays.fill(classOfAtom, -1);
        Map<Integer, List<Integer>> rootsByGroup = new TreeMap<>();
        Map<Integer, Integer> classOfRoot = new HashMap<>();
        List<Integer> groupOfClassList = new ArrayList<>();
        List<int[]> tracked = new ArrayList<>();
        weightAxes.forEach(w -> tracked.add(w.atoms));
        ctx.layouts().values().forEach(l -> tracked.add(l.atoms()));
        // Channel ids are assigned in atom order so that the same model always gives the same numbering.
        boolean[] used = new boolean[atoms.atomCount()];
        for (int[] ids : tracked) {
            for (int a : ids) {
                used[a] = true;
            }
        }
        Map<Integer, Integer> groupIndex = new TreeMap<>();
        for (int a = 0; a < used.length; a++) {
            if (!used[a]) {
                continue;
            }
            int root = atoms.find(a);
            if (!classOfRoot.containsKey(root)) {
                int g = atoms.group(root);
                groupIndex.putIfAbsent(g, groupIndex.size());
                classOfRoot.put(root, groupOfClassList.size());
                groupOfClassList.add(groupIndex.get(g));
                rootsByGroup.computeIfAbsent(groupIndex.get(g), k -> new ArrayList<>()).add(classOfRoot.get(root));
            }
            classOfAtom[a] = classOfRoot.get(root);
        }
        int[] groupOfClass = groupOfClassList.stream().mapToInt(Integer::intValue).toArray();

        int groupCount = groupIndex.size();
        List<Set<String>> reasons = new ArrayList<>();
        String[] names = new String[groupCount];
        for (int g = 0; g < groupCount; g++) {
            reasons.add(new LinkedHashSet<>());
        }
        for (int b = 0; b < atoms.blockCount(); b++) {
            Integer g = groupIndex.get(atoms.blockGroup(b));
            if (g == null) {
                continue;
            }
            reasons.get(g).addAll(atoms.frozenReasons(b));
            if (names[g] == null) {
                names[g] = atoms.label(b);
            }
        }
        List<List<String>> members = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            members.add(new ArrayList<>());
        }
        for (WeightAxis w : weightAxes) {
            Arrays.stream(w.atoms).map(a -> groupOfClass[classOfAtom[a]]).distinct().sorted()
                    .forEach(g -> members.get(g).add(w.describe()));
        }
        List<List<int[]>> segments = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            segments.add(new ArrayList<>());
        }
        List<ChannelGroup> groups = new ArrayList<>();
        int[][] classIdsByGroup = new int[groupCount][];
        for (int g = 0; g < groupCount; g++) {
            classIdsByGroup[g] = rootsByGroup.get(g).stream().mapToInt(Integer::intValue).toArray();
        }
        for (int[] segment : ctx.segments()) {
            int g = groupOfClass[classOfAtom[segment[0]]];
            int[] local = Arrays.stream(segment).map(a -> Arrays.binarySearch(classIdsByGroup[g], classOfAtom[a]))
                    .distinct().sorted().toArray();
            segments.get(g).add(local);
        }
        int[] unitWidth = unitWidths(ctx, weightAxes, classOfAtom, groupOfClass, groupCount);
        for (int g = 0; g < groupCount; g++) {
            if (members.get(g).isEmpty() && reasons.get(g).isEmpty()) {
                reasons.get(g).add("no stored weight carries these channels");
            }
            groups.add(new ChannelGroup(g, names[g], classIdsByGroup[g], List.copyOf(members.get(g)),
                    List.copyOf(reasons.get(g)), List.copyOf(segments.get(g)), unitWidth[g]));
        }
        return new ChannelAnalysis(graph, shapes, cost, List.copyOf(groups), Map.copyOf(ctx.layouts()), weightAxes,
                classOfAtom, groupOfClass, attention);
    }

    /**
     * Per group, {@link ChannelGroup#unitWidth}: the fewest positions one of its channels holds in an activation
     * that carries it, or, for a group that no activation carries, in a weight axis.
     */
    private static int[] unitWidths(ChannelContext ctx, List<WeightAxis> weightAxes, int[] classOfAtom,
                                    int[] groupOfClass, int groupCount) {
        int[] fromActivations = new int[groupCount];
        int[] fromWeights = new int[groupCount];
        for (Layout l : ctx.layouts().values()) {
            fewestPerChannel(l.atoms(), classOfAtom, groupOfClass, fromActivations);
        }
        for (WeightAxis w : weightAxes) {
            fewestPerChannel(w.atoms, classOfAtom, groupOfClass, fromWeights);
        }
        int[] out = new int[groupCount];
        for (int g = 0; g < groupCount; g++) {
            out[g] = fromActivations[g] > 0 ? fromActivations[g] : Math.max(1, fromWeights[g]);
        }
        return out;
    }

    /** Lowers {@code fewest[group]} (0: not seen yet) to the positions each channel holds in these atoms. */
    private static void fewestPerChannel(int[] atoms, int[] classOfAtom, int[] groupOfClass, int[] fewest) {
        Map<Integer, Integer> positions = new TreeMap<>();
        for (int a : atoms) {
            positions.merge(classOfAtom[a], 1, Integer::sum);
        }
        positions.forEach((c, n) -> {
            int g = groupOfClass[c];
            fewest[g] = fewest[g] == 0 ? n : Math.min(fewest[g], n);
        });
    }
}
