package io.shears.data;

import java.util.Random;

/**
 * A seeded, stratified hold-out: from each class of {@code n} samples, {@code k = round(fraction × n)} go to
 * validation, at least 1 when {@code n ≥ 2} and at most {@code n - 1} (a class keeps a training sample); a class of one
 * sample stays in training. Which samples are chosen is a seeded shuffle of the class's samples in their canonical
 * order (sorted by path, or file order for IDX), so the split depends on the seed and the dataset's content, not on
 * the order of the archive's entries. Classes are visited in index order, each with its own seed, so adding a class
 * does not move the others' samples.
 */
final class StratifiedSplit {
    private StratifiedSplit() {
    }

    /** {@code labels[i]} is the class of sample {@code i} (canonical order); returns which samples are validation. */
    static boolean[] holdOut(int[] labels, int classCount, double fraction, long seed) {
        boolean[] val = new boolean[labels.length];
        if (fraction <= 0) {
            return val;
        }
        int[] counts = new int[classCount];
        for (int label : labels) {
            counts[label]++;
        }
        int[][] members = new int[classCount][];
        int[] fill = new int[classCount];
        for (int c = 0; c < classCount; c++) {
            members[c] = new int[counts[c]];
        }
        for (int i = 0; i < labels.length; i++) {
            members[labels[i]][fill[labels[i]]++] = i;
        }
        for (int c = 0; c < classCount; c++) {
            int n = counts[c];
            int k = valCount(n, fraction);
            if (k == 0) {
                continue;
            }
            int[] m = members[c];
            Seeds.shuffle(m, new Random(Seeds.mix(seed, Seeds.SPLIT_STREAM, c)));
            for (int t = 0; t < k; t++) {
                val[m[t]] = true;
            }
        }
        return val;
    }

    static int valCount(int n, double fraction) {
        if (n < 2 || fraction <= 0) {
            return 0;
        }
        long k = Math.round(fraction * n);
        return (int) Math.min(n - 1, Math.max(1, k));
    }
}
