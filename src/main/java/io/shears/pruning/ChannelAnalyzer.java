package io.shears.pruning;

import io.shears.graph.CostModel;
import io.shears.graph.CostReport;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
        ChannelCountReads.check(graph, shapes, ctx, attention, claimedBy);
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

    /**
     * Numbers the channels (joined atoms), gathers each group's channels, weight axes, reasons and segments in a
     * {@link GroupDraft}, and builds them.
     */
    private static ChannelAnalysis group(Graph graph, Shapes shapes, CostReport cost, ChannelContext ctx,
                                         List<AttentionBlock> attention) {
        ChannelAtoms atoms = ctx.atoms();
        List<WeightAxis> weightAxes = List.copyOf(ctx.weightAxes().values());
        int[] classOfAtom = new int[atoms.atomCount()];
        List<Integer> groupOfClass = new ArrayList<>();
        Map<Integer, GroupDraft> draftOfBlockGroup = new LinkedHashMap<>();
        List<GroupDraft> drafts = numberChannels(ctx, weightAxes, classOfAtom, groupOfClass, draftOfBlockGroup);
        int[] groupOf = groupOfClass.stream().mapToInt(Integer::intValue).toArray();

        for (int b = 0; b < atoms.blockCount(); b++) {
            GroupDraft draft = draftOfBlockGroup.get(atoms.blockGroup(b));
            if (draft != null) {
                draft.addBlock(atoms.label(b), atoms.frozenReasons(b));
            }
        }
        for (WeightAxis w : weightAxes) {
            Arrays.stream(w.atoms).map(a -> groupOf[classOfAtom[a]]).distinct().sorted()
                    .forEach(g -> drafts.get(g).addMember(w.describe()));
        }
        for (int[] segment : ctx.segments()) {
            drafts.get(groupOf[classOfAtom[segment[0]]]).addSegment(
                    Arrays.stream(segment).map(a -> classOfAtom[a]).toArray());
        }
        ctx.renormalizers().forEach((node, a) -> Arrays.stream(a).map(x -> groupOf[classOfAtom[x]]).distinct()
                .forEach(g -> drafts.get(g).addRenormalizer(node)));
        ctx.layouts().values().forEach(l -> notePositions(l.atoms(), true, classOfAtom, groupOf, drafts));
        weightAxes.forEach(w -> notePositions(w.atoms, false, classOfAtom, groupOf, drafts));

        List<ChannelGroup> groups = drafts.stream().map(GroupDraft::build).toList();
        return new ChannelAnalysis(graph, shapes, cost, groups, Map.copyOf(ctx.layouts()), weightAxes, classOfAtom,
                groupOf, attention, ctx.countLiterals(), ctx.entries());
    }

    /**
     * Gives every tracked atom its channel id, in atom order so that the same model always gives the same numbering,
     * and opens a draft per group of blocks as its first channel appears.
     */
    private static List<GroupDraft> numberChannels(ChannelContext ctx, List<WeightAxis> weightAxes, int[] classOfAtom,
                                                   List<Integer> groupOfClass,
                                                   Map<Integer, GroupDraft> draftOfBlockGroup) {
        ChannelAtoms atoms = ctx.atoms();
        boolean[] used = new boolean[atoms.atomCount()];
        weightAxes.forEach(w -> Arrays.stream(w.atoms).forEach(a -> used[a] = true));
        ctx.layouts().values().forEach(l -> Arrays.stream(l.atoms()).forEach(a -> used[a] = true));
        Arrays.fill(classOfAtom, -1);
        Map<Integer, Integer> classOfRoot = new HashMap<>();
        List<GroupDraft> drafts = new ArrayList<>();
        for (int a = 0; a < used.length; a++) {
            if (!used[a]) {
                continue;
            }
            int root = atoms.find(a);
            Integer known = classOfRoot.get(root);
            if (known == null) {
                GroupDraft draft = draftOfBlockGroup.computeIfAbsent(atoms.group(root), g -> {
                    drafts.add(new GroupDraft(drafts.size()));
                    return drafts.get(drafts.size() - 1);
                });
                known = groupOfClass.size();
                classOfRoot.put(root, known);
                groupOfClass.add(draft.id());
                draft.addChannel(known);
            }
            classOfAtom[a] = known;
        }
        return drafts;
    }

    /** Tells each group how many of these positions (one tensor's axis) each of its channels holds. */
    private static void notePositions(int[] atoms, boolean activation, int[] classOfAtom, int[] groupOf,
                                      List<GroupDraft> drafts) {
        Map<Integer, Integer> positions = new TreeMap<>();
        for (int a : atoms) {
            positions.merge(classOfAtom[a], 1, Integer::sum);
        }
        positions.forEach((c, n) -> drafts.get(groupOf[c]).notePositions(n, activation));
    }
}
