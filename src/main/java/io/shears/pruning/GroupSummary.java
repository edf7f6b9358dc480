package io.shears.pruning;

import java.util.List;

/**
 * One channel group as reports show it.
 *
 * @param kept      channels after pruning; equal to {@code channels} for a group that was not cut
 * @param unitWidth positions of one tensor that each channel spans (1 for a plain filter; more where a channel is a
 *                  position in every convolution group, or a whole group): widths are channels × unitWidth
 * @param renormalizedBy nodes that normalize across the group's channels; cutting it changes their statistics
 */
public record GroupSummary(int id, String name, int channels, int kept, int unitWidth, List<String> members,
                           List<String> frozenReasons, List<String> renormalizedBy) {
    static GroupSummary of(ChannelGroup g, int kept) {
        return new GroupSummary(g.id(), g.name(), g.channels(), kept, g.unitWidth(), g.members(), g.frozenReasons(),
                g.renormalizedBy());
    }
}
