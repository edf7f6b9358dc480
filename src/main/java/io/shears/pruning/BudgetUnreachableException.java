package io.shears.pruning;

/** The budget is below the smallest model the options allow; carries that smallest figure. */
public class BudgetUnreachableException extends RuntimeException {
    public static final String CODE = "BUDGET_UNREACHABLE";
    private final long targetMacs;
    private final long smallestReachableMacs;

    public BudgetUnreachableException(long targetMacs, long smallestReachableMacs, long originalMacs) {
        super("budget of " + targetMacs + " MACs cannot be reached: the smallest reachable model has "
                + smallestReachableMacs + " MACs (" + String.format(java.util.Locale.ROOT, "%.4f",
                smallestReachableMacs / (double) originalMacs) + " of the original " + originalMacs + ")");
        this.targetMacs = targetMacs;
        this.smallestReachableMacs = smallestReachableMacs;
    }

    public String code() {
        return CODE;
    }

    public long targetMacs() {
        return targetMacs;
    }

    public long smallestReachableMacs() {
        return smallestReachableMacs;
    }
}
