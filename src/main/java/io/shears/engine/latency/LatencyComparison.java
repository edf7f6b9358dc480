package io.shears.engine.latency;

import ai.onnxruntime.OrtException;

import java.util.ArrayList;
import java.util.List;

/**
 * Measures two models' ONNX Runtime latency at one batch size under the same conditions: their runs alternate (A, B,
 * B, A, A, B, ...: each pair in the other order than the last, so neither always runs second), so that a neighbour
 * that starts or stops, a thermal step or a cache taken by another process touches both alike, and the speed-up of
 * the same two models comes out the same from one job to the next. Runs stop once both medians are known to within
 * {@link Rule#relativeHalfWidth()} (after at least {@link Rule#minRuns()} pairs), at {@link Rule#maxRuns()} pairs,
 * or when the time allowed is spent (after at least one pair).
 */
public final class LatencyComparison {
    /**
     * When to stop.
     *
     * @param warmup            untimed runs of each model first
     * @param minRuns           timed pairs before stability is judged
     * @param maxRuns           timed pairs at most
     * @param relativeHalfWidth stop when the 95% confidence interval of each median is this narrow, relative to it
     * @param maxNanos          time allowed for the comparison, warm-up included
     */
    public record Rule(int warmup, int minRuns, int maxRuns, double relativeHalfWidth, long maxNanos) {
        public Rule {
            if (warmup < 0 || minRuns < 1 || maxRuns < minRuns || !(relativeHalfWidth > 0) || maxNanos <= 0) {
                throw new IllegalArgumentException("invalid stop rule: warm-up " + warmup + ", runs " + minRuns + ".."
                        + maxRuns + ", half-width " + relativeHalfWidth + ", " + maxNanos + " ns");
            }
        }

        /** The same rule with {@code spent} nanoseconds of its time already used (opening the sessions). */
        public Rule after(long spent) {
            return new Rule(warmup, minRuns, maxRuns, relativeHalfWidth, Math.max(1, maxNanos - spent));
        }
    }

    /** Why the runs stopped. */
    public enum Stop {
        STABLE, MAX_RUNS, TIME
    }

    /** Both models' statistics, and why measuring stopped. */
    public record Result(LatencyStatistics first, LatencyStatistics second, Stop stop) {
    }

    private LatencyComparison() {
    }

    /** Compares two sessions fed the same input shape; both stay open and belong to the caller. */
    public static Result measure(TimedSession first, TimedSession second, Rule rule) {
        long started = System.nanoTime();
        try {
            for (int i = 0; i < rule.warmup() && (i == 0 || System.nanoTime() - started < rule.maxNanos() / 4); i++) {
                first.runOnce();
                second.runOnce();
            }
            List<Double> a = new ArrayList<>();
            List<Double> b = new ArrayList<>();
            Stop stop = Stop.MAX_RUNS;
            long lastPair = 0;
            for (int pair = 0; pair < rule.maxRuns(); pair++) {
                // a pair that would end past the time allowed is not started: the stage keeps to its budget
                if (pair > 0 && System.nanoTime() - started + lastPair > rule.maxNanos()) {
                    stop = Stop.TIME;
                    break;
                }
                long pairStarted = System.nanoTime();
                if (pair % 2 == 0) {
                    a.add(first.runOnce());
                    b.add(second.runOnce());
                } else {
                    b.add(second.runOnce());
                    a.add(first.runOnce());
                }
                lastPair = System.nanoTime() - pairStarted;
                if (pair + 1 >= rule.minRuns() && stable(a, rule) && stable(b, rule)) {
                    stop = Stop.STABLE;
                    break;
                }
            }
            return new Result(LatencyStatistics.of(unboxed(a)), LatencyStatistics.of(unboxed(b)), stop);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not run the model: " + e.getMessage(), e);
        }
    }

    private static boolean stable(List<Double> runs, Rule rule) {
        return LatencyStatistics.of(unboxed(runs)).relativeHalfWidth() <= rule.relativeHalfWidth();
    }

    private static double[] unboxed(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
