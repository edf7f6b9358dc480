package io.shears.jobs;

import io.shears.config.ShearsProperties;
import io.shears.pipeline.JobSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A job's own limits, capped by the server's. */
class JobLimitsTest {
    private static final ShearsProperties.Jobs SERVER = new ShearsProperties.Jobs(Duration.ofHours(6), 3, 20, 5);

    private static JobSpec spec(JobSpec.LimitsSpec limits) {
        return new JobSpec("m1", JobSpec.BudgetSpec.ofFraction(0.5), null, null, null, null, null, null, null,
                Map.of(), limits, null, null);
    }

    @Test
    void aJobWithoutLimitsGetsTheServers() {
        assertThat(JobLimits.of(spec(null), SERVER)).isEqualTo(new JobLimits(Duration.ofHours(6), 3));
        assertThat(JobLimits.of(spec(new JobSpec.LimitsSpec(null, null)), SERVER))
                .isEqualTo(new JobLimits(Duration.ofHours(6), 3));
    }

    @Test
    void aJobMayAskForLessThanTheServerAllows() {
        assertThat(JobLimits.of(spec(new JobSpec.LimitsSpec(Duration.ofMinutes(5), 1)), SERVER))
                .isEqualTo(new JobLimits(Duration.ofMinutes(5), 1));
    }

    @Test
    void askingForMoreGetsTheServersLimit() {
        assertThat(JobLimits.of(spec(new JobSpec.LimitsSpec(Duration.ofHours(7), 10)), SERVER))
                .isEqualTo(new JobLimits(Duration.ofHours(6), 3));
    }
}
