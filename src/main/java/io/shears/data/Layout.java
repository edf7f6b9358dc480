package io.shears.data;

import java.util.List;

/**
 * A resolved dataset: classes, the samples of each split in canonical order (as record numbers of the
 * {@link SampleSource}) with their class indices, and the corrupt images that were skipped.
 */
record Layout(DatasetFormat format, List<String> classes, int[] trainRecords, int[] trainLabels, int[] valRecords,
              int[] valLabels, boolean valFromArchive, SampleSource source, List<SkippedImage> skipped) {

    /** Refuses more classes than the limits allow, before anything is done per class. */
    static void checkClassCount(int classes, DatasetLimits limits, String where) {
        if (classes > limits.maxClasses()) {
            throw new DatasetException(DatasetProblem.DATASET_TOO_MANY_CLASSES, where + " holds " + classes
                    + " classes, more than the limit of " + limits.maxClasses());
        }
    }

    /** Splits the training samples with the stratified hold-out, unless the archive brought its own validation. */
    static Layout withHeldOut(DatasetFormat format, List<String> classes, int[] records, int[] labels,
                              double fraction, long seed, SampleSource source, List<SkippedImage> skipped) {
        boolean[] val = StratifiedSplit.holdOut(labels, classes.size(), fraction, seed);
        int nVal = 0;
        for (boolean v : val) {
            nVal += v ? 1 : 0;
        }
        int[] tr = new int[records.length - nVal];
        int[] trL = new int[tr.length];
        int[] va = new int[nVal];
        int[] vaL = new int[nVal];
        int t = 0;
        int v = 0;
        for (int i = 0; i < records.length; i++) {
            if (val[i]) {
                va[v] = records[i];
                vaL[v++] = labels[i];
            } else {
                tr[t] = records[i];
                trL[t++] = labels[i];
            }
        }
        return new Layout(format, classes, tr, trL, va, vaL, false, source, skipped);
    }
}
