package io.shears.pipeline;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sweep's part of the job spec: what a sweep must have, what it may not mix with, and its defaults. */
class JobSpecSweepTest {
    private static final long X = 1_000_000L;

    private static JobSpec.FineTuneSection fineTune(Integer epochs, Long maxTrainFlops) {
        return new JobSpec.FineTuneSection("bars", epochs, maxTrainFlops, null, null, null, null, null, null, null);
    }

    private static JobSpec spec(JobSpec.BudgetSpec budget, JobSpec.SweepSpec sweep, JobSpec.FineTuneSection ft) {
        return new JobSpec("m1", budget, sweep, null, null, null, ft, null, null, null);
    }

    private static JobSpec.BudgetSpec trainFlops(long flops) {
        return new JobSpec.BudgetSpec(null, null, null, flops);
    }

    private static JobSpec.SweepSpec fractions(Double... fractions) {
        return new JobSpec.SweepSpec(Arrays.asList(fractions));
    }

    private static void assertRefused(JobSpec spec, String field, String messagePart) {
        assertThatThrownBy(spec::normalized).isInstanceOfSatisfying(InvalidJobSpecException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    @Test
    void aSweepIsSortedDescendingAndCarriesItsBudgetIntoTheFineTuning() {
        JobSpec normalized = spec(trainFlops(X), fractions(0.25, 1.0, 0.5), fineTune(3, null)).normalized();

        assertThat(normalized.sweep().fractions()).containsExactly(1.0, 0.5, 0.25);
        assertThat(normalized.budget().trainFlops()).isEqualTo(X);
        assertThat(normalized.fineTune().maxTrainFlops()).isEqualTo(X);
        assertThat(normalized.fineTune().epochs()).isEqualTo(3);
        assertThat(normalized.normalized()).isEqualTo(normalized);
    }

    @Test
    void aSweepWithoutFractionsTakesTheFourOfThePaperAndEpochsStayAnUpperBound() {
        JobSpec normalized = spec(trainFlops(X), new JobSpec.SweepSpec(null), fineTune(null, null)).normalized();

        assertThat(normalized.sweep().fractions()).containsExactly(1.0, 0.75, 0.5, 0.25);
        assertThat(normalized.fineTune().epochs()).isEqualTo(JobSpec.MAX_EPOCHS);
    }

    @Test
    void aSmallCandidateMayTrainForThousandsOfEpochsToSpendTheBudgetButNotWithoutBound() {
        // A quarter of a model on 1,000 images needs about 1,350 epochs to spend 1,000 dense forward passes.
        assertThat(spec(trainFlops(X), fractions(0.25), fineTune(5_000, null)).normalized().fineTune().epochs())
                .isEqualTo(5_000);
        assertRefused(spec(trainFlops(X), fractions(0.25), fineTune(100_001, null)), "fineTune.epochs", "100000");
    }

    @Test
    void aFineTuningBudgetEqualToTheSweepsIsAccepted() {
        JobSpec normalized = spec(trainFlops(X), fractions(0.5), fineTune(null, X)).normalized();

        assertThat(normalized.fineTune().maxTrainFlops()).isEqualTo(X);
    }

    @Test
    void trainFlopsNeedsASweep() {
        assertRefused(spec(trainFlops(X), null, fineTune(1, null)), "budget.trainFlops", "needs sweep");
        assertRefused(spec(trainFlops(X), null, null), "budget.trainFlops", "needs sweep");
    }

    @Test
    void trainFlopsMustBePositive() {
        assertRefused(spec(trainFlops(0), fractions(0.5), fineTune(1, null)), "budget.trainFlops", "positive");
    }

    @Test
    void aSweepNeedsTrainFlopsAndNoOtherBudget() {
        assertRefused(spec(JobSpec.BudgetSpec.ofFraction(0.5), fractions(0.5), fineTune(1, null)), "budget",
                "budget.trainFlops");
        assertRefused(spec(new JobSpec.BudgetSpec(1000L, null, null, null), fractions(0.5), fineTune(1, null)),
                "budget", "budget.trainFlops");
        assertRefused(spec(new JobSpec.BudgetSpec(null, null, 0.5, X), fractions(0.5), fineTune(1, null)),
                "budget", "exactly one of macs, flops, fraction or trainFlops");
        assertRefused(spec(null, fractions(0.5), fineTune(1, null)), "budget", "trainFlops");
    }

    @Test
    void aSweepNeedsAFineTuning() {
        assertRefused(spec(trainFlops(X), fractions(0.5), null), "fineTune", "required with sweep");
    }

    @Test
    void aFineTuningBudgetOtherThanTheSweepsIsRefused() {
        assertRefused(spec(trainFlops(X), fractions(0.5), fineTune(null, X + 1)), "fineTune.maxTrainFlops",
                "budget.trainFlops (" + X + ")");
    }

    @Test
    void fractionsMustBeOneToEightDistinctNumbersInZeroToOne() {
        JobSpec.FineTuneSection ft = fineTune(1, null);
        assertRefused(spec(trainFlops(X), new JobSpec.SweepSpec(List.of()), ft), "sweep.fractions", "1..8");
        assertRefused(spec(trainFlops(X), fractions(0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1), ft),
                "sweep.fractions", "got 9");
        assertRefused(spec(trainFlops(X), fractions(1.0, 0.0), ft), "sweep.fractions[1]", "(0, 1]");
        assertRefused(spec(trainFlops(X), fractions(1.5), ft), "sweep.fractions[0]", "(0, 1]");
        assertRefused(spec(trainFlops(X), fractions(0.5, null), ft), "sweep.fractions[1]", "(0, 1]");
        assertRefused(spec(trainFlops(X), fractions(Double.NaN), ft), "sweep.fractions[0]", "(0, 1]");
        assertRefused(spec(trainFlops(X), fractions(0.5, 0.25, 0.5), ft), "sweep.fractions", "distinct");
    }

    @Test
    void aJobWithoutSweepKeepsItsBudgetAndItsOwnTrainingCap() {
        JobSpec normalized = spec(JobSpec.BudgetSpec.ofFraction(0.5), null, fineTune(null, 7L)).normalized();

        assertThat(normalized.sweep()).isNull();
        assertThat(normalized.fineTune().maxTrainFlops()).isEqualTo(7L);
    }
}
