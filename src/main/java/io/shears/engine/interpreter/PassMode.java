package io.shears.engine.interpreter;

/**
 * How a forward pass runs the operators that behave differently while training. DJL's block interface knows only
 * "training or not", which ties BatchNorm's statistics to Dropout; recalibrating BatchNorm needs the one without the
 * other.
 */
public enum PassMode {
    /** BatchNorm normalises with its running statistics; Dropout is the identity. */
    INFERENCE(false, false),
    /** BatchNorm normalises with the batch's statistics and updates the running ones; Dropout drops. */
    TRAINING(true, true),
    /**
     * BatchNorm as in training, Dropout as in inference: the statistics BatchNorm sees are those of the activations
     * the model produces at inference time, and they do not depend on the random number generator.
     */
    BATCH_STATISTICS(true, false);

    private final boolean batchStatistics;
    private final boolean dropout;

    PassMode(boolean batchStatistics, boolean dropout) {
        this.batchStatistics = batchStatistics;
        this.dropout = dropout;
    }

    static PassMode of(boolean training) {
        return training ? TRAINING : INFERENCE;
    }

    /** Whether BatchNormalization normalises with the batch's statistics and updates its running statistics. */
    public boolean batchStatistics() {
        return batchStatistics;
    }

    /** Whether Dropout drops. */
    public boolean dropout() {
        return dropout;
    }
}
