package io.shears.pruning;

/** How the budget is spread over the prunable groups. */
public enum Allocation {
    /** The same fraction of channels from every prunable group (the paper's setting). */
    UNIFORM,
    /** All channels of all prunable groups ranked together by normalised importance. */
    GLOBAL;

    public static Allocation parse(String s) {
        return OptionNames.parse(Allocation.class, s);
    }

    public String label() {
        return OptionNames.label(this);
    }
}
