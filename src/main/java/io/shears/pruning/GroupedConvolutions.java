package io.shears.pruning;

/**
 * How a grouped convolution (group &gt; 1 and not depthwise) loses channels. Either way the convolution's inputs and
 * outputs stay consistent with its groups; depthwise convolutions follow their channels in both.
 */
public enum GroupedConvolutions {
    /**
     * The same channel positions go in every convolution group, so the group count stays (as Torch-Pruning does):
     * position j of every group's inputs is one channel, and likewise for the outputs.
     */
    WITHIN_GROUPS,
    /** Whole convolution groups go: group g's input slice and output slice are one channel, and {@code group} shrinks. */
    WHOLE_GROUPS;

    public static GroupedConvolutions parse(String s) {
        return OptionNames.parse(GroupedConvolutions.class, s);
    }

    public String label() {
        return OptionNames.label(this);
    }
}
