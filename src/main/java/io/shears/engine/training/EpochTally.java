package io.shears.engine.training;

/** What one epoch's steps add up to: steps, samples, summed loss and correct predictions, and its start time. */
final class EpochTally {
    private final long started = System.nanoTime();
    private long steps;
    private long samples;
    private double lossSum;
    private long correct;

    /** Adds a step on a batch with {@code labels}, its mean loss and its logits (row-major, one row a sample). */
    void add(int[] labels, float meanLoss, float[] logits) {
        lossSum += meanLoss * labels.length;
        correct += correct(logits, labels);
        steps++;
        samples += labels.length;
    }

    long steps() {
        return steps;
    }

    /** The mean loss over the epoch's samples so far. */
    double meanLoss() {
        return lossSum / samples;
    }

    /** The epoch's CSV row, with the validation figures and the cumulative FLOPs at its end. */
    FineTuneResult.EpochRow row(int epoch, double valLoss, double valTop1, long trainFlops) {
        return new FineTuneResult.EpochRow(epoch, steps, samples, lossSum / samples, (double) correct / samples,
                valLoss, valTop1, trainFlops, (System.nanoTime() - started) / 1e9);
    }

    private static long correct(float[] logits, int[] labels) {
        int classes = logits.length / labels.length;
        long hits = 0;
        for (int n = 0; n < labels.length; n++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[n * classes + c] > logits[n * classes + best]) {
                    best = c;
                }
            }
            hits += best == labels[n] ? 1 : 0;
        }
        return hits;
    }
}
