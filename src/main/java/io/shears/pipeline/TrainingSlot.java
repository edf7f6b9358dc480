package io.shears.pipeline;

import java.util.concurrent.Semaphore;

/**
 * The one fine-tuning a process may run at a time: DJL allows a single GradientCollector per JVM, so on a process
 * with several workers (one per GPU) the FINETUNE stages take turns while the other stages run side by side.
 */
final class TrainingSlot implements AutoCloseable {
    private static final Semaphore SLOT = new Semaphore(1, true);

    private TrainingSlot() {
    }

    static TrainingSlot acquire() {
        try {
            SLOT.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobCancelledException("interrupted while waiting to fine-tune", false);
        }
        return new TrainingSlot();
    }

    @Override
    public void close() {
        SLOT.release();
    }
}
