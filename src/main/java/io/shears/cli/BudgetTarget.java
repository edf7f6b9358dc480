package io.shears.cli;

import io.shears.pruning.Budget;
import picocli.CommandLine.Option;

import java.util.Map;

/** The compute target of {@code prune} and {@code submit}: exactly one of MACs, FLOPs or a fraction. */
final class BudgetTarget {
    @Option(names = "--target-macs", paramLabel = "N", description = "absolute multiply-accumulates")
    Long macs;

    @Option(names = "--target-flops", paramLabel = "N", description = "absolute FLOPs (2 x MACs)")
    Long flops;

    @Option(names = "--target-fraction", paramLabel = "F", description = "fraction of the original MACs, in (0, 1]")
    Double fraction;

    Budget budget() {
        return Budget.of(macs, flops, fraction);
    }

    /** The job spec's {@code budget} section. */
    Map<String, Object> jobBudget() {
        return fraction != null ? Map.of("fraction", fraction) : macs != null ? Map.of("macs", macs)
                : Map.of("flops", flops);
    }
}
