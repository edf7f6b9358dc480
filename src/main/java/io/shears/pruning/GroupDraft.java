package io.shears.pruning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A channel group while the analysis gathers it: channels, the weight axes that carry them, the reasons it is kept
 * and the ranges that must keep a channel are added as they are found, and {@link #build} makes the finished group.
 */
final class GroupDraft {
    private final int id;
    private String name;
    private final List<Integer> classIds = new ArrayList<>();
    private final List<String> members = new ArrayList<>();
    private final Set<String> frozenReasons = new LinkedHashSet<>();
    private final List<int[]> segmentClasses = new ArrayList<>();
    private final Set<String> renormalizedBy = new LinkedHashSet<>();
    private int fewestInActivations;
    private int fewestInWeights;

    GroupDraft(int id) {
        this.id = id;
    }

    int id() {
        return id;
    }

    /** Adds a channel; channels are added in increasing id. */
    void addChannel(int classId) {
        classIds.add(classId);
    }

    /** Adds a block of atoms that belongs to the group: the first names the group; its reasons to freeze count. */
    void addBlock(String label, Set<String> reasons) {
        if (name == null) {
            name = label;
        }
        frozenReasons.addAll(reasons);
    }

    void addMember(String weightAxis) {
        members.add(weightAxis);
    }

    /** A node that normalizes across the group's channels. */
    void addRenormalizer(String node) {
        renormalizedBy.add(node);
    }

    /** Channels (by id) of which at least one must stay: each output of a channel Split or Slice. */
    void addSegment(int[] classes) {
        segmentClasses.add(classes);
    }

    /** Notes how many positions of one tensor a channel of this group holds there. */
    void notePositions(int positions, boolean activation) {
        if (activation) {
            fewestInActivations = fewestInActivations == 0 ? positions : Math.min(fewestInActivations, positions);
        } else {
            fewestInWeights = fewestInWeights == 0 ? positions : Math.min(fewestInWeights, positions);
        }
    }

    ChannelGroup build() {
        int[] ids = classIds.stream().mapToInt(Integer::intValue).toArray();
        List<int[]> segments = new ArrayList<>();
        for (int[] classes : segmentClasses) {
            segments.add(Arrays.stream(classes).map(c -> Arrays.binarySearch(ids, c)).distinct().sorted().toArray());
        }
        Set<String> reasons = new LinkedHashSet<>(frozenReasons);
        if (members.isEmpty() && reasons.isEmpty()) {
            reasons.add("no stored weight carries these channels");
        }
        // A weight axis may hold one convolution group's slice rather than a tensor's width, so activations decide.
        int unitWidth = fewestInActivations > 0 ? fewestInActivations : Math.max(1, fewestInWeights);
        return new ChannelGroup(id, name, ids, List.copyOf(members), List.copyOf(reasons), List.copyOf(segments),
                unitWidth, List.copyOf(renormalizedBy));
    }
}
