package io.shears.engine.latency;

import io.shears.onnx.ModelWriter;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Order statistics of timed runs, and the alternating comparison's three ways to stop, on real ONNX Runtime. */
class LatencyComparisonTest {
    private static final long[] SAMPLE = {3, 16, 16};

    @Test
    void statisticsGiveTheMedianTheSpreadAndHowSureTheMedianIs() {
        double[] ms = new double[20];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = 10 + i;
        }
        LatencyStatistics s = LatencyStatistics.of(ms);
        assertThat(s.runs()).isEqualTo(20);
        assertThat(s.medianMs()).isEqualTo(19.5);
        assertThat(s.p10Ms()).isCloseTo(11.9, within(1e-9));
        assertThat(s.p90Ms()).isCloseTo(27.1, within(1e-9));
        assertThat(s.minMs()).isEqualTo(10);
        assertThat(s.maxMs()).isEqualTo(29);
        // n = 20: ranks floor(10 - 4.38) = 5 and ceil(10 + 4.38) = 15, so (25 - 15) / 2 over 19.5
        assertThat(s.relativeHalfWidth()).isCloseTo(5 / 19.5, within(1e-9));
        assertThat(LatencyStatistics.of(new double[] {4, 4, 4, 4, 4, 4, 4, 4}).relativeHalfWidth()).isZero();
        assertThat(LatencyStatistics.of(new double[] {1, 2, 3}).relativeHalfWidth())
                .as("too few runs to bound the median").isInfinite();
        assertThatThrownBy(() -> LatencyStatistics.of(new double[0])).hasMessageContaining("no timed run");
    }

    @Test
    void stopsWhenStableAtTheRunLimitOrWhenTheTimeIsSpent() {
        byte[] big = ModelWriter.toBytes(TestGraphs.resnetBasicBlocks().build(13));
        byte[] small = ModelWriter.toBytes(TestGraphs.flattenGemm().build(13));
        try (TimedSession a = TimedSession.open(big, SAMPLE, 2, 1);
             TimedSession b = TimedSession.open(small, SAMPLE, 2, 1)) {
            LatencyComparison.Result loose = LatencyComparison.measure(a, b,
                    new LatencyComparison.Rule(1, 3, 200, 100.0, 60_000_000_000L));
            assertThat(loose.stop()).isEqualTo(LatencyComparison.Stop.STABLE);
            assertThat(loose.first().runs()).as("the first count with a bounded median")
                    .isEqualTo(loose.second().runs()).isBetween(7, 9);

            LatencyComparison.Result capped = LatencyComparison.measure(a, b,
                    new LatencyComparison.Rule(0, 3, 4, 1e-12, 60_000_000_000L));
            assertThat(capped.stop()).isEqualTo(LatencyComparison.Stop.MAX_RUNS);
            assertThat(capped.first().runs()).isEqualTo(4);

            LatencyComparison.Result rushed = LatencyComparison.measure(a, b,
                    new LatencyComparison.Rule(3, 3, 100, 1e-12, 1));
            assertThat(rushed.stop()).isEqualTo(LatencyComparison.Stop.TIME);
            assertThat(rushed.first().runs()).as("one pair at least").isEqualTo(1);
            assertThat(rushed.first().medianMs()).isPositive();
        }
    }

    @Test
    void theTimeSpentOpeningTheSessionsComesOffTheRulesTime() {
        LatencyComparison.Rule rule = new LatencyComparison.Rule(5, 8, 20, 0.03, 20_000_000_000L);
        assertThat(rule.after(1_500_000_000L).maxNanos()).isEqualTo(18_500_000_000L);
        assertThat(rule.after(30_000_000_000L).maxNanos()).as("never none at all").isEqualTo(1);
        assertThat(rule.after(0)).isEqualTo(rule);
    }
}
