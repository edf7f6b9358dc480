package io.shears.data;

import java.util.Random;

/**
 * Seeded orders. {@link Random} is used because its algorithm is fixed by its specification, so a seed gives the
 * same split and the same shuffles on every JVM; streams for different purposes get seeds mixed with SplitMix64.
 */
final class Seeds {
    static final long SPLIT_STREAM = 0x5EED_5A11_7000_0001L;
    static final long EPOCH_STREAM = 0x5EED_E90C_4000_0002L;
    static final long SAMPLE_STREAM = 0x5EED_5A3B_1E00_0003L;

    private Seeds() {
    }

    static long mix(long seed, long stream, long index) {
        long z = seed + stream * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Fisher–Yates shuffle of {@code values} in place. */
    static void shuffle(int[] values, Random random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    /** {@code 0 .. n-1} in the order of epoch {@code epoch}. */
    static int[] epochOrder(int n, long seed, int epoch) {
        int[] order = identity(n);
        shuffle(order, new Random(mix(seed, EPOCH_STREAM, epoch)));
        return order;
    }

    /** {@code 0 .. n-1} shuffled for the sample stream {@code stream}; a prefix of it is a seeded sample. */
    static int[] sampleOrder(int n, long seed, long stream) {
        int[] order = identity(n);
        shuffle(order, new Random(mix(seed, SAMPLE_STREAM, stream)));
        return order;
    }

    static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }
}
