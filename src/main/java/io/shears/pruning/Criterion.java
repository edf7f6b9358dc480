package io.shears.pruning;

/** How the importance of a channel is measured, from the weights alone. */
public enum Criterion {
    /** Sum of absolute weights of every coupled slice: the paper's weight magnitude. */
    L1,
    /** Euclidean norm of every coupled slice. */
    L2,
    /** Absolute BatchNormalization scale (gamma); groups without BatchNormalization fall back to l1. */
    BN_SCALE,
    /** A seeded random score: the baseline any criterion must beat. */
    RANDOM;

    public static Criterion parse(String s) {
        return OptionNames.parse(Criterion.class, s);
    }

    public String label() {
        return OptionNames.label(this);
    }
}
