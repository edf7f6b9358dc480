package io.shears.pipeline;

/** Thrown into a running pipeline when its job was cancelled or ran past its time limit. */
public final class JobCancelledException extends RuntimeException {
    private final boolean timedOut;

    public JobCancelledException(String message, boolean timedOut) {
        super(message);
        this.timedOut = timedOut;
    }

    public boolean timedOut() {
        return timedOut;
    }
}
