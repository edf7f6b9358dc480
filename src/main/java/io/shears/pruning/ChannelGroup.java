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
 * @param unitWidth  how many positions of one tensor a single channel of the group removes: the fewest, over every
 *                   activation where the group's channels appear, positions that one channel holds there. It is 1 for
 *                   a plain filter; the group count when a channel is the same position in every group of a grouped
 *                   convolution; the group width when a channel is a whole convolution group; a head's width when a
 *                   channel is an attention head. Weight axes count only for a group that no activation carries,
 *                   because one of them may hold a single convolution group's slice and not a tensor's width.
 *                   {@code round-to} and {@code min-channels} apply to kept channels × unit width
 * @param renormalizedBy nodes that normalize across the group's channels (LayerNormalization over the embedding
 *                   width): cutting the group changes what they compute for the channels kept, as retraining after
 *                   pruning expects, so the cut model is not the original with those channels zeroed
 */
public record ChannelGroup(int id, String name, int[] classIds, List<String> members, List<String> frozenReasons,
                           List<int[]> segments, int unitWidth, List<String> renormalizedBy) {
    public int channels() {
        return classIds.length;
    }

    /** Positions of one tensor that the group's channels span when {@code kept} of them are kept. */
    public int width(int kept) {
        return kept * unitWidth;
    }

    public boolean frozen() {
        return !frozenReasons.isEmpty();
    }
}
