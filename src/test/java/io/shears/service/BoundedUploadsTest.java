package io.shears.service;

import io.shears.catalog.DatasetAnalysisSlots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static io.shears.service.ServiceTestSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/** Dataset uploads over real HTTP against their bounds: classes, concurrent analyses, leftovers of a dead process. */
class BoundedUploadsTest {
    @TempDir
    Path tmp;

    @Test
    void uploadsAreBoundedAndAStartClearsWhatAKilledProcessLeft() throws Exception {
        Path data = tmp.resolve("data");
        Path uploads = Files.createDirectories(data.resolve("uploads"));
        Instant hourAgo = Instant.now().minusSeconds(3600);
        Path leftover = old(Files.write(uploads.resolve("dataset4711.upload"), new byte[1 << 20]), hourAgo);
        Path leftoverCheck = Files.createDirectories(uploads.resolve("dataset-check4712"));
        old(Files.write(leftoverCheck.resolve("shears-dataset-1.spool"), new byte[1 << 16]), hourAgo);
        old(leftoverCheck, hourAgo);
        Path foreign = old(Files.write(uploads.resolve("notes.txt"), new byte[] {1}), hourAgo);
        byte[] fourClasses = ServiceFixtures.idxDataset(tmp, 4, 5, 1);
        byte[] threeClasses = ServiceFixtures.idxDataset(tmp, 3, 5, 1);

        try (InProcessService service = InProcessService.start(data, "--shears.uploads.max-dataset-classes=3",
                "--shears.uploads.max-concurrent-analyses=1", "--shears.uploads.analysis-wait=300ms")) {
            assertThat(leftover).doesNotExist();
            assertThat(leftoverCheck).doesNotExist();
            assertThat(foreign).exists();
            ApiClient api = service.admin();

            var tooMany = api.postBytes("/v1/datasets", fourClasses, "application/zip");
            assertProblem(tooMany, 422, "DATASET_TOO_MANY_CLASSES");
            assertThat(tooMany.json().get("detail").asString()).contains("4 classes", "limit of 3");

            DatasetAnalysisSlots slots = service.bean(DatasetAnalysisSlots.class);
            try (DatasetAnalysisSlots.Slot held = slots.acquire()) {
                var busy = api.postBytes("/v1/datasets", threeClasses, "application/zip");
                assertProblem(busy, 503, "ANALYSIS_BUSY");
                assertThat(busy.header("Retry-After")).isEqualTo("1");
            }
            var accepted = api.postBytes("/v1/datasets", threeClasses, "application/zip");
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
            assertThat(accepted.json().get("classes")).hasSize(3);
            assertThat(slots.available()).isOne();
            try (var left = Files.list(uploads)) {
                assertThat(left).containsExactly(foreign);
            }
        }
    }

    private static Path old(Path path, Instant modified) throws Exception {
        Files.setLastModifiedTime(path, FileTime.from(modified));
        return path;
    }
}
