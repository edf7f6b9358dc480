package io.shears.artifacts;

import io.shears.files.Sha256;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ArtifactStore} must do, whatever holds the bytes: each implementation's test extends this and
 * says only how to make a fresh, empty store.
 */
abstract class ArtifactStoreContract {
    /** Large enough that the S3 stores under test (5 MiB parts) upload it in three parts. */
    static final int LARGE = 12 * 1024 * 1024 + 12345;

    @TempDir
    Path tmp;

    ArtifactStore store;

    /** A store that holds nothing yet; closed after each test if it is {@link AutoCloseable}. */
    abstract ArtifactStore newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() throws Exception {
        if (store instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Test
    void putAddressesTheContentBySha256AndSizeFindsIt() throws Exception {
        byte[] content = random(100_000, 1);
        Path file = write("a.bin", content);

        StoredBlob blob = store.put(file);

        assertThat(blob.sha256()).isEqualTo(sha256(content));
        assertThat(blob.bytes()).isEqualTo(content.length);
        assertThat(store.size(blob.sha256())).contains((long) content.length);
        assertThat(store.size(sha256(new byte[] {42}))).isEmpty();
        assertThat(file).as("the source file is left alone").hasBinaryContent(content);
    }

    @Test
    void openReadsFromAnyOffset() throws Exception {
        byte[] content = random(70_000, 2);
        StoredBlob blob = store.put(write("b.bin", content));

        assertThat(read(blob.sha256(), 0)).isEqualTo(content);
        assertThat(read(blob.sha256(), 1)).isEqualTo(Arrays.copyOfRange(content, 1, content.length));
        assertThat(read(blob.sha256(), 65_536)).isEqualTo(Arrays.copyOfRange(content, 65_536, content.length));
        assertThat(read(blob.sha256(), content.length - 1)).containsExactly(content[content.length - 1]);
        assertThat(read(blob.sha256(), content.length)).isEmpty();
    }

    @Test
    void aLazyStreamOpensTheBlobWhereSkipLeftIt() throws Exception {
        byte[] content = random(70_000, 8);
        StoredBlob blob = store.put(write("lazy.bin", content));
        List<Long> opened = new ArrayList<>();
        ArtifactStore recording = new ArtifactStore() {
            @Override
            public StoredBlob put(Path file) throws IOException {
                return store.put(file);
            }

            @Override
            public Optional<Long> size(String sha256) throws IOException {
                return store.size(sha256);
            }

            @Override
            public InputStream open(String sha256, long offset) throws IOException {
                opened.add(offset);
                return store.open(sha256, offset);
            }

            @Override
            public Path localFile(String sha256, Path cacheDir) throws IOException {
                return store.localFile(sha256, cacheDir);
            }

            @Override
            public void delete(String sha256) throws IOException {
                store.delete(sha256);
            }
        };

        try (InputStream in = new LazyBlobStream(recording, blob.sha256(), content.length)) {
            assertThat(in.skip(60_000)).isEqualTo(60_000);
            assertThat(in.skip(5_000)).isEqualTo(5_000);
            assertThat(opened).as("nothing is fetched for a skip").isEmpty();
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 65_000, content.length));
        }
        try (InputStream in = new LazyBlobStream(recording, blob.sha256(), content.length)) {
            assertThat(in.skip(100_000)).as("a skip stops at the end").isEqualTo(content.length);
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(opened).as("a read at the end opens nothing").containsExactly(65_000L);

        opened.clear();
        try (InputStream in = new LazyBlobStream(recording, blob.sha256(), 30_000, 1_000)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 30_000, 31_000));
            assertThat(in.read()).as("a span ends at its last byte").isEqualTo(-1);
        }
        try (InputStream in = new LazyBlobStream(recording, blob.sha256(), 69_990, 10)) {
            assertThat(in.skip(4)).isEqualTo(4);
            assertThat(in.readNBytes(100)).isEqualTo(Arrays.copyOfRange(content, 69_994, 70_000));
            assertThat(in.skip(5)).as("a skip stops at the span's end").isZero();
        }
        assertThat(opened).as("a span opens the blob at its first byte").containsExactly(30_000L, 69_994L);
    }

    @Test
    void localFileHoldsTheContentAndIsStableAcrossCalls() throws Exception {
        byte[] content = random(50_000, 3);
        StoredBlob blob = store.put(write("c.bin", content));
        Path cache = tmp.resolve("cache");

        Path first = store.localFile(blob.sha256(), cache);
        Path second = store.localFile(blob.sha256(), cache);

        assertThat(first).hasBinaryContent(content);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void anEmptyFileIsABlobToo() throws Exception {
        StoredBlob blob = store.put(write("empty", new byte[0]));

        assertThat(blob.sha256()).isEqualTo(sha256(new byte[0]));
        assertThat(store.size(blob.sha256())).contains(0L);
        assertThat(read(blob.sha256(), 0)).isEmpty();
        assertThat(store.localFile(blob.sha256(), tmp.resolve("cache"))).isEmptyFile();
    }

    @Test
    void storingTheSameContentTwiceKeepsOneBlob() throws Exception {
        byte[] content = random(10_000, 4);
        StoredBlob first = store.put(write("d1.bin", content));
        StoredBlob second = store.put(write("d2.bin", content));

        assertThat(second).isEqualTo(first);
        assertThat(store.size(first.sha256())).contains((long) content.length);
        assertThat(read(first.sha256(), 0)).isEqualTo(content);
    }

    @Test
    void aLargeBlobRoundTrips() throws Exception {
        byte[] content = random(LARGE, 5);
        StoredBlob blob = store.put(write("large.bin", content));

        assertThat(blob.sha256()).isEqualTo(sha256(content));
        assertThat(store.size(blob.sha256())).contains((long) LARGE);
        assertThat(sha256(Files.readAllBytes(store.localFile(blob.sha256(), tmp.resolve("cache")))))
                .isEqualTo(blob.sha256());
        int offset = 11 * 1024 * 1024 + 7;
        assertThat(read(blob.sha256(), offset)).isEqualTo(Arrays.copyOfRange(content, offset, content.length));
    }

    @Test
    void deleteRemovesTheBlobAndMayBeRepeated() throws Exception {
        byte[] content = random(1_000, 6);
        StoredBlob blob = store.put(write("e.bin", content));

        store.delete(blob.sha256());
        store.delete(blob.sha256());

        assertThat(store.size(blob.sha256())).isEmpty();
        assertThatThrownBy(() -> store.open(blob.sha256(), 0)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aMissingBlobIsNoSuchFile() {
        String absent = sha256(new byte[] {1, 2, 3});

        assertThatThrownBy(() -> store.open(absent, 0)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.localFile(absent, tmp.resolve("cache")))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void somethingThatIsNotASha256IsRefused() {
        assertThatThrownBy(() -> store.size("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.open("ABC", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers

    Path write(String name, byte[] content) throws IOException {
        return Files.write(tmp.resolve(name), content);
    }

    byte[] read(String sha256, long offset) throws IOException {
        try (InputStream in = store.open(sha256, offset)) {
            return in.readAllBytes();
        }
    }

    static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] content) {
        return Sha256.of(content);
    }
}
