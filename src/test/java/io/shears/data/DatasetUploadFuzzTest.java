package io.shears.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.InRange;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.shears.testing.FuzzedUpload;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.shears.data.Fixtures.entries;
import static io.shears.data.Fixtures.gzip;
import static io.shears.data.Fixtures.idxImages;
import static io.shears.data.Fixtures.idxLabels;
import static io.shears.data.Fixtures.imageFolder;
import static io.shears.data.Fixtures.merge;

/**
 * Any bytes uploaded as a dataset, through what an upload and a job do with them: open the archive (zip, tar.gz or
 * tar; ImageFolder or IDX), index it, then decode a batch of each split. Every input must end in a dataset or in a
 * {@link DatasetException}, the one refusal the service turns into problem+json; anything else is a finding, and so
 * is an input that takes longer than {@link FuzzedUpload#MAX_TIME} or allocates past {@link #MAX_ALLOCATED_BYTES}.
 *
 * <p>A normal build runs each target in regression mode only: over its committed corpus in {@code
 * DatasetUploadFuzzTestInputs/<method>/} (seeds, and every input that ever failed) and its method source's seeds.
 * {@code bench/fuzz.sh} fuzzes them.
 */
@Tag("fuzz")
class DatasetUploadFuzzTest {
    /**
     * What one input may allocate. A seed needs a few MB once the classes it uses are loaded (the warm-up loads them:
     * Jazzer instruments a class on the thread that loads it, and that allocates too); a forged header that makes a
     * reader size an array from it needs far more.
     */
    static final long MAX_ALLOCATED_BYTES = 512L << 20;

    private static final DatasetLimits LIMITS = DatasetLimits.defaults().withMaxTotalBytes(64L << 20);
    private static final FuzzedUpload UPLOAD = new FuzzedUpload("upload", MAX_ALLOCATED_BYTES,
            DatasetUploadFuzzTest::upload);

    @BeforeAll
    static void loadTheClassesTheSeedsUse() throws IOException {
        UPLOAD.loadClasses(seeds().values());
    }

    @FuzzTest
    void datasetUpload(byte[] bytes) throws IOException {
        UPLOAD.read(bytes);
    }

    private static void upload(Path file) {
        DatasetOptions options = DatasetOptions.defaults().withLimits(LIMITS)
                .withSpoolDirectory(file.resolveSibling("spool"));
        try (Dataset dataset = Dataset.open(file, options)) {
            for (Split split : Split.values()) {
                Iterator<Batch> batches = dataset.batches(split, 4, 0);
                if (batches.hasNext()) {
                    batches.next();
                }
            }
        } catch (DatasetException refused) {
            // a named refusal is the right answer to a broken archive
        }
    }

    /**
     * The same path, but the fuzzer writes the archive's entries (names, contents, folders) and the test packs them as
     * a zip, tar.gz or tar, so that inputs get past the archives' checksums into the layouts, IDX headers and images.
     * Entries without content are folders.
     */
    @MethodSource("seedEntries")
    @FuzzTest
    void datasetEntries(@InRange(min = 0, max = 2) int format, @NotNull List<@NotNull String> names,
                        @NotNull List<byte @NotNull []> contents) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            entries.put(names.get(i), i < contents.size() ? contents.get(i) : null);
        }
        byte[] archive;
        try {
            archive = pack(format, entries);
        } catch (RuntimeException unpackable) {
            // commons-compress refuses to write some names (a tar name with a NUL, say): no input for the reader
            return;
        }
        UPLOAD.read(archive);
    }

    static Stream<Arguments> seedEntries() {
        List<Arguments> seeds = new ArrayList<>();
        int format = 0;
        for (Map<String, byte[]> layout : layouts().values()) {
            seeds.add(Arguments.of(format++ % 3, new ArrayList<>(layout.keySet()), new ArrayList<>(layout.values())));
        }
        return seeds.stream();
    }

    /** Rewrites the seeds of the corpus; run from the project directory. */
    public static void main(String[] args) throws IOException {
        FuzzedUpload.writeSeeds(Path.of("src/test/resources/io/shears/data/DatasetUploadFuzzTestInputs/datasetUpload"),
                seeds());
    }

    /** Each layout as zip, tar.gz or tar. */
    private static Map<String, byte[]> seeds() throws IOException {
        Map<String, Map<String, byte[]>> layouts = layouts();
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("image-folder.zip", pack(0, layouts.get("image-folder")));
        seeds.put("image-folder-nested.tar.gz", pack(1, layouts.get("image-folder-nested")));
        seeds.put("image-folder.tar", pack(2, layouts.get("image-folder")));
        seeds.put("idx.zip", pack(0, layouts.get("idx")));
        seeds.put("idx.tar.gz", pack(1, layouts.get("idx")));
        return seeds;
    }

    /** ImageFolder (PNG and JPEG, flat and in one folder) and IDX (plain and gzipped files). */
    private static Map<String, Map<String, byte[]>> layouts() {
        Map<String, Map<String, byte[]>> layouts = new LinkedHashMap<>();
        layouts.put("image-folder", merge(imageFolder("", "train", "cat", 3, "dog", 3),
                imageFolder("", "val", "cat", 1, "dog", 1)));
        layouts.put("image-folder-nested", merge(imageFolder("animals/", "train", "ant", 2, "bee", 2, "cow", 2),
                entries("animals/train/bee/001.jpg", Fixtures.rgbJpeg(4, 4, (x, y) -> x * 40 << 16 | y * 40))));
        layouts.put("idx", entries(
                "train-images-idx3-ubyte.gz", gzip(idxImages(6, 4, 4, (i, p) -> (i * 31 + p * 7) & 0xff)),
                "train-labels-idx1-ubyte.gz", gzip(idxLabels(new int[] {0, 1, 2, 0, 1, 2})),
                "t10k-images-idx3-ubyte", idxImages(3, 4, 4, (i, p) -> (i + p) & 0xff),
                "t10k-labels-idx1-ubyte", idxLabels(new int[] {2, 1, 0})));
        return layouts;
    }

    /** The entries as a zip (0), tar.gz (1) or tar (2). */
    private static byte[] pack(int format, Map<String, byte[]> entries) throws IOException {
        Path file = Files.createTempFile("seed", ".archive");
        try {
            switch (format) {
                case 0 -> Fixtures.zip(file, entries);
                case 1 -> Fixtures.tarGz(file, entries);
                default -> Fixtures.tar(file, entries);
            }
            return Files.readAllBytes(file);
        } finally {
            Files.delete(file);
        }
    }
}
