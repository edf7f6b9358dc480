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
        String model = upload(ServiceFixtures.smallCnn());
        String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9)))
                .json().get("id").asString();
        api.post("/v1/jobs/" + job + "/cancel");

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
    void aJobThatIsNotCancelledIsLeftAlone() throws Exception {
        String model = upload(ServiceFixtures.smallCnn());
        String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9)))
                .json().get("id").asString();
        try (AutoCloseable watched = CancellationWatchAccess.watch(context, job)) {
            Thread.sleep(2_000);
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}
