package io.shears.jobs;

import io.shears.config.ShearsProperties;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallbackScheduleTest {
    private static final CallbackSchedule DEFAULTS =
            CallbackSchedule.of(new ShearsProperties.Callbacks(List.of(), null, null, null, null));

    @Test
    void theDefaultWaitsGrowThreefoldFromTenSecondsToACapOfTwoHours() {
        List<Duration> delays = DEFAULTS.delays();
        assertThat(delays.subList(0, 4)).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(90), Duration.ofSeconds(270));
        assertThat(delays).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofHours(2)));
        assertThat(delays.get(delays.size() - 1)).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void theDefaultKeepsTryingAReceiverThatIsDownForTwoMinutesAndGivesUpAfterADay() {
        List<Duration> delays = DEFAULTS.delays();
        Duration lastTry = delays.stream().reduce(Duration.ZERO, Duration::plus);
        assertThat(lastTry).isGreaterThan(Duration.ofHours(20)).isLessThanOrEqualTo(Duration.ofHours(24));
        Duration triedAfterFourFailures = delays.subList(0, 4).stream().reduce(Duration.ZERO, Duration::plus);
        assertThat(triedAfterFourFailures).isGreaterThan(Duration.ofMinutes(2));
        assertThat(DEFAULTS.delayAfter(delays.size())).contains(delays.get(delays.size() - 1));
        assertThat(DEFAULTS.delayAfter(delays.size() + 1)).isEmpty();
    }

    @Test
    void aShrunkScheduleIsHonoured() {
        CallbackSchedule quick = new CallbackSchedule(Duration.ofMillis(100), 2, Duration.ofMillis(300),
                Duration.ofSeconds(1));
        assertThat(quick.delays()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(300), Duration.ofMillis(300));
    }

    @Test
    void aScheduleThatNeverWaitsIsRefused() {
        assertThatThrownBy(() -> new CallbackSchedule(Duration.ZERO, 2, Duration.ofSeconds(1), Duration.ofHours(1)))
                .hasMessageContaining("first-retry");
        assertThatThrownBy(() -> new CallbackSchedule(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(1),
                Duration.ofHours(1))).hasMessageContaining("backoff-factor");
    }
}
