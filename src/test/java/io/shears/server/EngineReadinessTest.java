package io.shears.server;

import io.shears.Role;
import io.shears.config.ShearsProperties;
import io.shears.engine.startup.EngineSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class EngineReadinessTest {
    @TempDir
    Path work;

    @Test
    void aWorkerIsReadyOnceTheEngineHasLoadedAndTrainedTheWarmUpModel() throws Exception {
        EngineReadiness readiness = new EngineReadiness(properties(Role.WORKER, 1), EngineSettings.fromSystemProperties());
        assertThat(readiness.health().getStatus()).isEqualTo(Status.DOWN);

        readiness.startEngine();
        Health health = awaitUp(readiness);

        assertThat(health.getDetails().get("warmUp").toString()).startsWith("rounds=1 trainingSteps=24 ");
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).as("the warm-up cleans up after itself").isEmpty();
        }
    }

    @Test
    void zeroRoundsTurnTheWarmUpOff() throws Exception {
        EngineReadiness readiness = new EngineReadiness(properties(Role.ALL, 0), EngineSettings.fromSystemProperties());
        readiness.startEngine();
        assertThat(awaitUp(readiness).getDetails()).containsEntry("warmUp", "off");
    }

    @Test
    void aProcessThatRunsNoJobsIsReadyWithoutTheEngine() {
        EngineReadiness readiness = new EngineReadiness(properties(Role.API, 1), EngineSettings.fromSystemProperties());
        assertThat(readiness.health().getStatus()).isEqualTo(Status.UP);
        assertThat(readiness.health().getDetails()).containsEntry("engine", "not used by this role");
    }

    private ShearsProperties properties(Role role, int warmUpRounds) {
        return new ShearsProperties(role, "test", work, null, work, null, null, null, null,
                new ShearsProperties.Engine(null, null, null, null, warmUpRounds));
    }

    private static Health awaitUp(EngineReadiness readiness) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        Health health = readiness.health();
        while (health.getStatus() != Status.UP && System.nanoTime() < deadline) {
            Thread.sleep(50);
            health = readiness.health();
        }
        assertThat(health.getStatus()).as(health.toString()).isEqualTo(Status.UP);
        return health;
    }
}
