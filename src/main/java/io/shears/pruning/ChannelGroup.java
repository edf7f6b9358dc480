package io.shears.pruning;

import java.util.List;

/**
 * A set of tensor axes that must lose the same channels together, found by the channel analysis.
 *
 * @param id         stable index, in order of first appearance in the graph
 * @param name       the node that created the group's first channels
 * @param classIds   the group's channels, as indices into the analysis's channel table
 * @param members    every weight axis in the group, as {@code node:tensor[axis]}
 * @param frozenReasons why the group may not be pruned; empty when it may
 * @param segments   channel ranges (indices into {@code classIds}) that must each keep at least one channel
 */
public record ChannelGroup(int id, String name, int[] classIds, List<String> members, List<String> frozenReasons,
                           List<int[]> segments) {
    public int channels() {
        return classIds.length;
    }

    public boolean frozen() {
        return !frozenReasons.isEmpty();
    }
}
