package io.shears.pruning;

import java.util.List;
import java.util.Locale;

/**
 * The budget is below the smallest model the options allow. Carries that smallest figure and, once {@link Pruner}
 * has explained it, the reasons that freeze the most MACs and what the other scope would reach.
 */
public class BudgetUnreachableException extends RuntimeException {
    public static final String CODE = "BUDGET_UNREACHABLE";
    /** How many reasons the message names. */
    static final int REASONS_NAMED = 3;

    /** The smallest model the same options reach in another scope. */
    public record OtherScope(String scope, long smallestReachableMacs, double fractionOfOriginal) {
    }

    private final long targetMacs;
    private final long smallestReachableMacs;
    private final long originalMacs;
    private final List<FrozenReason> frozenReasons;
    private final OtherScope otherScope;

    /** The bare fact, as the solver finds it. */
    public BudgetUnreachableException(long targetMacs, long smallestReachableMacs, long originalMacs) {
        this(targetMacs, smallestReachableMacs, originalMacs, List.of(), null);
    }

    /** The same fact, explained by the reasons that freeze the most MACs (at most three) and by the other scope. */
    BudgetUnreachableException(BudgetUnreachableException bare, List<FrozenReason> frozenReasons, OtherScope otherScope) {
        this(bare.targetMacs, bare.smallestReachableMacs, bare.originalMacs,
                List.copyOf(frozenReasons.subList(0, Math.min(REASONS_NAMED, frozenReasons.size()))), otherScope);
    }

    private BudgetUnreachableException(long targetMacs, long smallestReachableMacs, long originalMacs,
                                       List<FrozenReason> frozenReasons, OtherScope otherScope) {
        super(message(targetMacs, smallestReachableMacs, originalMacs, frozenReasons, otherScope));
        this.targetMacs = targetMacs;
        this.smallestReachableMacs = smallestReachableMacs;
        this.originalMacs = originalMacs;
        this.frozenReasons = frozenReasons;
        this.otherScope = otherScope;
    }

    /** One line: the smallest reachable model, then (when explained) the top reasons and the other scope's reach. */
    private static String message(long targetMacs, long smallestReachableMacs, long originalMacs,
                                  List<FrozenReason> frozenReasons, OtherScope otherScope) {
        StringBuilder m = new StringBuilder("budget of " + targetMacs + " MACs cannot be reached: the smallest "
                + "reachable model has " + smallestReachableMacs + " MACs (" + fraction(smallestReachableMacs / (double) originalMacs)
                + " of the original " + originalMacs + ")");
        if (otherScope == null) {
            return m.toString();
        }
        if (frozenReasons.isEmpty()) {
            m.append("; no channel group is frozen");
        } else {
            m.append("; most MACs frozen by: ");
            for (int i = 0; i < frozenReasons.size(); i++) {
                FrozenReason r = frozenReasons.get(i);
                m.append(i == 0 ? "" : ", ").append('"').append(r.reason()).append("\" (").append(r.groups())
                        .append(r.groups() == 1 ? " group, " : " groups, ").append(fraction(r.shareOfMacs()))
                        .append(" of the MACs)");
            }
        }
        m.append("; scope ").append(otherScope.scope()).append(" would reach ")
                .append(fraction(otherScope.fractionOfOriginal())).append(" of the original MACs");
        return m.toString().replaceAll("\\s*\\R\\s*", " ");
    }

    private static String fraction(double f) {
        return String.format(Locale.ROOT, "%.4f", f);
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

    public long originalMacs() {
        return originalMacs;
    }

    /** The reasons that freeze the most MACs, most first; empty until explained or when no group is frozen. */
    public List<FrozenReason> frozenReasons() {
        return frozenReasons;
    }

    /** What the other scope would reach; null until explained. */
    public OtherScope otherScope() {
        return otherScope;
    }
}
