package io.shears.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilesTest {
    /** FIPS 180-2, appendix B.1. */
    private static final String SHA256_OF_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @TempDir
    Path dir;

    @Test
    void sha256OfBytesFilesAndStreamsIsTheStandardValue() throws IOException {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        Path file = Files.write(dir.resolve("abc"), abc);
        var digest = Sha256.newDigest();
        long read = Sha256.digestAll(new ByteArrayInputStream(abc), digest);

        assertThat(Sha256.of(abc)).isEqualTo(SHA256_OF_ABC);
        assertThat(Sha256.of(file)).isEqualTo(SHA256_OF_ABC);
        assertThat(read).isEqualTo(3);
        assertThat(Sha256.hex(digest)).isEqualTo(SHA256_OF_ABC);
    }

    @Test
    void atomicWriteReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("sub/report.json");
        AtomicFiles.writeString(target, "first");
        AtomicFiles.writeString(target, "second");
        Path copy = dir.resolve("copy.json");
        AtomicFiles.copy(target, copy);

        assertThat(Files.readString(target)).isEqualTo("second");
        assertThat(Files.readString(copy)).isEqualTo("second");
        assertThat(names(target.getParent())).containsExactly("report.json");
    }

    @Test
    void aFailedWriteKeepsTheOldContentAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("model.onnx");
        AtomicFiles.writeString(target, "complete");

        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write(new byte[]{1, 2, 3});
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readString(target)).isEqualTo("complete");
        assertThat(names(dir)).containsExactly("model.onnx");
    }

    @Test
    void treeDeletionRemovesNestedDirectoriesAndToleratesAMissingPath() throws IOException {
        Path root = dir.resolve("work");
        Files.createDirectories(root.resolve("state/checkpoints"));
        Files.writeString(root.resolve("state/checkpoints/checkpoint.bin"), "x");
        Files.writeString(root.resolve("top.txt"), "y");
        Path outside = Files.writeString(dir.resolve("keep.txt"), "z");

        FileTrees.delete(root);
        FileTrees.delete(root);
        FileTrees.delete(outside);

        assertThat(root).doesNotExist();
        assertThat(outside).doesNotExist();
        assertThat(names(dir)).isEmpty();
    }

    private static java.util.List<String> names(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
