package io.shears.pruning;

import java.util.List;

/**
 * One channel group as reports show it.
 *
 * @param kept channels after pruning; equal to {@code channels} for a group that was not cut
 */
public record GroupSummary(int id, String name, int channels, int kept, List<String> members,
                           List<String> frozenReasons) {
    static GroupSummary of(ChannelGroup g, int kept) {
        return new GroupSummary(g.id(), g.name(), g.channels(), kept, g.members(), g.frozenReasons());
    }
}
