package io.shears.service;

import io.shears.jobs.CancellationWatchAccess;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A cancel reaches a job's thread even while its stage reports no progress, and leaves no interrupt behind. */
class CancellationWatchTest extends ServiceTestSupport {
    @Autowired
    ApplicationContext context;

    @Test
    void aCancelInterruptsTheWatchedThreadWithinASecondOrTwoAndClosingClearsIt() throws Exception {
        String job = cancelledJob();

        long start = System.nanoTime();
        boolean interrupted = false;
        try (AutoCloseable watched = CancellationWatchAccess.watch(context, job)) {
            Thread.sleep(10_000);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(interrupted).as("the sleeping thread was interrupted").isTrue();
        assertThat(seconds).isLessThan(5);
        assertThat(Thread.currentThread().isInterrupted()).as("closing cleared the watch's interrupt").isFalse();
    }

    @Test
    void anInterruptThatALibraryDropsIsMadeAgain() throws Exception {
        String job = cancelledJob();

        boolean dropped = false;
        boolean interruptedAgain = false;
        long start = System.nanoTime();
        try (AutoCloseable watched = CancellationWatchAccess.watch(context, job)) {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                // what H2's file store does with an interrupt while it waits for its serialization thread
                dropped = true;
            }
            long afterDrop = System.nanoTime();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                interruptedAgain = true;
            }
            assertThat((System.nanoTime() - afterDrop) / 1e9).as("seconds to the next interrupt").isLessThan(5);
        }
        assertThat(dropped).as("the first interrupt arrived").isTrue();
        assertThat(interruptedAgain).as("the watch interrupted again").isTrue();
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
        assertThat(Thread.currentThread().isInterrupted()).as("closing cleared the watch's interrupt").isFalse();
    }

    @Test
    void aJobThatIsNotCancelledIsLeftAlone() throws Exception {
        String job = submittedJob();
        try (AutoCloseable watched = CancellationWatchAccess.watch(context, job)) {
            Thread.sleep(2_000);
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    private String submittedJob() {
        String model = upload(ServiceFixtures.smallCnn());
        return api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9)))
                .json().get("id").asString();
    }

    private String cancelledJob() {
        String job = submittedJob();
        api.post("/v1/jobs/" + job + "/cancel");
        return job;
    }
}
