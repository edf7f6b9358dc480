package io.shears.catalog;

import io.shears.config.ServiceBusyException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class DatasetAnalysisSlotsTest {
    @Test
    void aRequestPastTheSlotsWaitsThenIsToldWhenToRetry() {
        DatasetAnalysisSlots slots = new DatasetAnalysisSlots(2, Duration.ofMillis(50));
        DatasetAnalysisSlots.Slot first = slots.acquire();
        DatasetAnalysisSlots.Slot second = slots.acquire();

        assertThatThrownBy(slots::acquire).asInstanceOf(type(ServiceBusyException.class)).satisfies(e -> {
            assertThat(e.code()).isEqualTo("ANALYSIS_BUSY");
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
            assertThat(e.getMessage()).contains("all 2 dataset analysis slots");
        });

        first.close();
        first.close();
        assertThat(slots.available()).isEqualTo(1);
        DatasetAnalysisSlots.Slot third = slots.acquire();
        assertThatThrownBy(slots::acquire).isInstanceOf(ServiceBusyException.class);
        second.close();
        third.close();
        assertThat(slots.available()).isEqualTo(2);
    }

    @Test
    void aWaitingRequestGetsTheSlotThatIsFreedMeanwhile() throws Exception {
        DatasetAnalysisSlots slots = new DatasetAnalysisSlots(1, Duration.ofSeconds(30));
        DatasetAnalysisSlots.Slot held = slots.acquire();
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            held.close();
        });
        releaser.start();

        try (DatasetAnalysisSlots.Slot mine = slots.acquire()) {
            assertThat(slots.available()).isZero();
        }
        releaser.join();
        assertThat(slots.available()).isOne();
    }
}
