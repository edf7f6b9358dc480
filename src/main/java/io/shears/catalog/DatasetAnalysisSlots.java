package io.shears.catalog;

import io.shears.config.ServiceBusyException;
import io.shears.config.ShearsProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many dataset uploads are analysed at once ({@code shears.uploads.max-concurrent-analyses}). An analysis reads
 * the whole archive and decodes every image, so each one costs a core and up to a few hundred megabytes; without a
 * bound, a burst of uploads piles them all up at once. An upload that finds every slot taken waits up to
 * {@code shears.uploads.analysis-wait}, then is refused with 503 {@code ANALYSIS_BUSY} and a Retry-After, so it
 * neither waits forever nor holds a request thread past that.
 */
@Component
public class DatasetAnalysisSlots {
    private final Semaphore permits;
    private final int slots;
    private final Duration wait;

    @Autowired
    public DatasetAnalysisSlots(ShearsProperties properties) {
        this(properties.uploads().maxConcurrentAnalyses(), properties.uploads().analysisWait());
    }

    DatasetAnalysisSlots(int slots, Duration wait) {
        if (slots < 1 || wait.isNegative()) {
            throw new IllegalArgumentException("analysis slots must be positive and the wait not negative: " + slots
                    + ", " + wait);
        }
        this.permits = new Semaphore(slots, true);
        this.slots = slots;
        this.wait = wait;
    }

    /** A slot, held until the returned handle is closed. */
    public Slot acquire() {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            Duration retryAfter = Duration.ofSeconds(Math.max(1, wait.toSeconds()));
            throw new ServiceBusyException("ANALYSIS_BUSY", "all " + slots + " dataset analysis slots stayed busy for "
                    + wait.toMillis() + " ms; retry after " + retryAfter.toSeconds() + " s", retryAfter);
        }
        return new Slot(permits);
    }

    /** Slots free now. */
    public int available() {
        return permits.availablePermits();
    }

    /** One taken slot; closing it more than once frees it once. */
    public static final class Slot implements AutoCloseable {
        private final Semaphore permits;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Slot(Semaphore permits) {
            this.permits = permits;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                permits.release();
            }
        }
    }
}
