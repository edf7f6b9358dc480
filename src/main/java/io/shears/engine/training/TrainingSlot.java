package io.shears.engine.training;

import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;

/**
 * The one fine-tuning a process may run at a time: DJL allows a single GradientCollector per JVM, so on a process
 * with several workers (one per GPU) the FINETUNE stages take turns while the other stages run side by side, and the
 * engine's warm-up trains only while no job does.
 */
public final class TrainingSlot implements AutoCloseable {
    private static final Semaphore SLOT = new Semaphore(1, true);

    private TrainingSlot() {
    }

    /**
     * Waits for the slot.
     *
     * @throws CancellationException when the thread is interrupted while it waits, keeping its flag
     */
    public static TrainingSlot acquire() {
        try {
            SLOT.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting to fine-tune");
        }
        return new TrainingSlot();
    }

    @Override
    public void close() {
        SLOT.release();
    }
}
