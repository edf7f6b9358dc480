package io.shears.engine.interpreter;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's gradient recording off on the calling thread until closed, then restores what was there. PyTorch's
 * grad mode is per thread and on in every fresh thread, so any thread that runs a model without training (evaluation,
 * BN recalibration, latency) must open one of these, or every forward builds an autograd graph it never uses.
 */
public final class NoGradScope implements AutoCloseable {
    private final boolean previous;
    private final Thread owner;

    private NoGradScope() {
        this.previous = JniUtils.isGradMode();
        this.owner = Thread.currentThread();
        JniUtils.setGradMode(false);
    }

    public static NoGradScope open() {
        return new NoGradScope();
    }

    /** Whether the calling thread currently records gradients. */
    public static boolean gradientsRecorded() {
        return JniUtils.isGradMode();
    }

    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a NoGradScope must be closed on the thread that opened it");
        }
        JniUtils.setGradMode(previous);
    }
}
