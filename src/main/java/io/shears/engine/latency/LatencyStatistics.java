package io.shears.engine.latency;

import java.util.Arrays;

/**
 * Order statistics of timed runs: the median, the spread (10th and 90th percentiles, minimum, maximum), and how well
 * the median is known, as the half-width of its distribution-free 95% confidence interval (the order statistics
 * {@code n/2 ± 0.98·√n}) over the median. A run count whose interval is still too wide for that gives infinity.
 */
public record LatencyStatistics(int runs, double medianMs, double p10Ms, double p90Ms, double minMs, double maxMs,
                                double relativeHalfWidth) {

    /** The statistics of the given times in milliseconds (at least one). */
    public static LatencyStatistics of(double[] millis) {
        if (millis.length == 0) {
            throw new IllegalArgumentException("no timed run");
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = quantile(sorted, 0.5);
        double spread = 0.98 * Math.sqrt(n);
        int low = (int) Math.floor(n / 2.0 - spread);
        int high = (int) Math.ceil(n / 2.0 + spread);
        double relative = low < 0 || high > n - 1 || !(median > 0) ? Double.POSITIVE_INFINITY
                : (sorted[high] - sorted[low]) / 2 / median;
        return new LatencyStatistics(n, median, quantile(sorted, 0.1), quantile(sorted, 0.9), sorted[0],
                sorted[n - 1], relative);
    }

    /** Linear interpolation between the closest ranks, as numpy's default. */
    private static double quantile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
