package io.shears.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Leftovers of a process that died mid-upload go at start-up; nothing else does. */
class UploadSpoolTest {
    @TempDir
    Path dir;

    @Test
    void startUpRemovesOnlyItsOwnFilesWrittenBeforeTheProcessStarted() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant before = start.minusSeconds(3600);
        Instant after = start.plusSeconds(5);
        Path uploads = dir.resolve("uploads");
        Files.createDirectories(uploads);
        Path staleDataset = write(uploads.resolve("dataset8136620011249012.upload"), before);
        Path staleModel = write(uploads.resolve("model42.upload"), before);
        Path staleCheck = Files.createDirectory(uploads.resolve("dataset-check77"));
        write(staleCheck.resolve("shears-dataset-5.spool"), before);
        setTime(staleCheck, before);
        Path otherName = write(uploads.resolve("notes.upload.txt"), before);
        Path otherPrefix = write(uploads.resolve("backup123.upload"), before);
        Path fresh = write(uploads.resolve("dataset99.upload"), after);
        Path busyCheck = Files.createDirectory(uploads.resolve("dataset-check78"));
        write(busyCheck.resolve("shears-dataset-6.spool"), after);
        setTime(busyCheck, before);
        Path elsewhere = Files.createDirectory(dir.resolve("outside"));
        write(elsewhere.resolve("x"), before);
        Path link = Files.createSymbolicLink(uploads.resolve("model43.upload"), elsewhere.resolve("x"));

        new UploadSpool(uploads, start);

        assertThat(staleDataset).doesNotExist();
        assertThat(staleModel).doesNotExist();
        assertThat(staleCheck).doesNotExist();
        assertThat(otherName).exists();
        assertThat(otherPrefix).exists();
        assertThat(fresh).exists();
        assertThat(busyCheck.resolve("shears-dataset-6.spool")).exists();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(elsewhere.resolve("x")).exists();
    }

    @Test
    void theFilesItCreatesMatchWhatStartUpRemoves() throws Exception {
        Path uploads = dir.resolve("uploads");
        UploadSpool spool = new UploadSpool(uploads, Instant.now());
        Path upload = spool.receive(new ByteArrayInputStream(new byte[] {1, 2, 3}), 3, 10, "dataset");
        Path model = spool.receive(new ByteArrayInputStream(new byte[] {1}), 1, 10, "model");
        Path check = spool.analysisDirectory();
        write(check.resolve("shears-dataset-1.spool"), Instant.now());

        // as if the process had been killed here and another one started a minute later
        new UploadSpool(uploads, Instant.now().plusSeconds(60));

        assertThat(upload).doesNotExist();
        assertThat(model).doesNotExist();
        assertThat(check).doesNotExist();
        try (var left = Files.list(uploads)) {
            assertThat(left).isEmpty();
        }
    }

    private static Path write(Path file, Instant modified) throws Exception {
        Files.write(file, new byte[] {1, 2, 3});
        setTime(file, modified);
        return file;
    }

    private static void setTime(Path path, Instant modified) throws Exception {
        Files.setLastModifiedTime(path, FileTime.from(modified));
    }
}
