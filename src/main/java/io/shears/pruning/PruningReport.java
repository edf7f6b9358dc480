package io.shears.pruning;

import java.util.List;

/**
 * What a pruning run did, for people and pipelines: the options, the target, the model before and after, every
 * group's channels before and after, the frozen groups with their reasons, and the time each step took.
 *
 * @param groupedConvolutions how grouped convolutions lost channels: within-groups or whole-groups
 * @param attentionUnit    what one channel of an attention block was: heads or head-width
 * @param achievedFraction pruned MACs / original MACs
 * @param ofTarget         pruned MACs / target MACs (at most 1; at least 0.98 unless the granularity forbids)
 */
public record PruningReport(String scope, String criterion, String allocation, String groupedConvolutions,
                            String attentionUnit, int roundTo,
                            int minChannels, double maxFraction, List<String> exclude, long seed, Target target, ModelTotals original,
                            ModelTotals pruned, double achievedFraction, double ofTarget,
                            long smallestReachableMacs, List<GroupSummary> groups, List<GroupSummary> frozenGroups,
                            Timings timings) {
    /** The requested budget as given, and in MACs. */
    public record Target(String budget, long macs, long flops) {
    }

    /** Milliseconds per step; reading and writing files is the caller's and is not included. */
    public record Timings(long analysisMs, long solveMs, long surgeryMs, long verifyMs, long totalMs) {
    }
}
