package io.shears.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;

import static io.shears.data.Fixtures.imageFolder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A job is cancelled by interrupting its thread: that must read as a cancellation, never as a corrupt dataset. */
class InterruptionTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void anInterruptedScanIsCancelledAndLeavesNoSpool() throws Exception {
        Path spoolDir = Files.createDirectories(dir.resolve("spool"));
        Path zip = Fixtures.zip(dir.resolve("d.zip"), imageFolder("", "train", "a", 5, "b", 5));

        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Dataset.open(zip, DatasetOptions.defaults().withSpoolDirectory(spoolDir)))
                .isInstanceOf(CancellationException.class);
        Thread.interrupted();
        try (Stream<Path> files = Files.list(spoolDir)) {
            assertThat(files.count()).isZero();
        }
    }

    @Test
    void anInterruptedReaderIsCancelledAndTheDatasetStillServesOthers() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), imageFolder("", "train", "a", 5, "b", 5));
        try (Dataset d = Dataset.open(zip)) {
            float[] before = d.batch(Split.TRAIN, new int[] {0, 1}).data();

            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> d.batch(Split.TRAIN, new int[] {0, 1})).isInstanceOf(CancellationException.class);
            Thread.interrupted();

            assertThat(d.batch(Split.TRAIN, new int[] {0, 1}).data()).containsExactly(before);
        }
    }
}
