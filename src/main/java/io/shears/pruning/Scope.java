package io.shears.pruning;

/** Which channel groups may be pruned. */
public enum Scope {
    /**
     * The paper's filter pruning: only a block's inner widths (convolution filters, the hidden width of an MLP), whose
     * channels do not reach a residual Add, a graph output or the features feeding a classifier. The representation
     * keeps its width.
     */
    FILTERS,
    /** Every group may be pruned, the residual stream and the classifier's features too. */
    CHANNELS;

    public static Scope parse(String s) {
        return OptionNames.parse(Scope.class, s);
    }

    /** The scope an unreachable budget is compared with. */
    public Scope other() {
        return this == FILTERS ? CHANNELS : FILTERS;
    }

    public String label() {
        return OptionNames.label(this);
    }
}
