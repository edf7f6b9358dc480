package io.shears.testing;

import java.util.SplittableRandom;

/**
 * Seeded source of parameter values. Weights are uniform(-0.5, 0.5) / sqrt(fan_in) times a gain of sqrt(24), which
 * is Kaiming-uniform: without the gain every layer shrinks activations about 5x (3.5x from the variance of the
 * uniform, more from ReLU), and after a dozen layers the outputs barely depend on the input, which would let
 * pruning tests that compare outputs pass vacuously. Biases keep the plain 1/sqrt(fan_in) scale. BatchNorm variances
 * and multiplicative constants stay away from zero so that no test divides by zero.
 */
final class WeightSampler {
    private static final double ACTIVATION_PRESERVING_GAIN = Math.sqrt(24);

    private final SplittableRandom random;

    WeightSampler(long seed) {
        this.random = new SplittableRandom(seed);
    }

    float[] weights(long count, long fanIn) {
        return centeredUniform(count, ACTIVATION_PRESERVING_GAIN / Math.sqrt(Math.max(1, fanIn)));
    }

    float[] biases(long count, long fanIn) {
        return centeredUniform(count, 1.0 / Math.sqrt(Math.max(1, fanIn)));
    }

    float[] uniform(long count, double lowInclusive, double highExclusive) {
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(lowInclusive, highExclusive);
        }
        return values;
    }

    /** uniform(-0.5, 0.5) * scale. */
    private float[] centeredUniform(long count, double scale) {
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() - 0.5) * scale);
        }
        return values;
    }
}
