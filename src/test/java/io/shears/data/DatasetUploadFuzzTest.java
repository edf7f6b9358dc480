package io.shears.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.shears.testing.FuzzInput;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * is an input that takes longer than {@link FuzzInput#MAX_TIME} or allocates past {@link #MAX_ALLOCATED_BYTES}.
 *
 * <p>A normal build runs this over the committed corpus in {@code DatasetUploadFuzzTestInputs/datasetUpload} only;
 * {@code bench/fuzz.sh} fuzzes it. Inputs that ever failed are kept there next to the seeds.
 */
class DatasetUploadFuzzTest {
    /**
     * What one input may allocate. A seed needs a few MB once the classes it uses are loaded (the warm-up loads them:
     * Jazzer instruments a class on the thread that loads it, and that allocates too); a forged header that makes a
     * reader size an array from it needs far more.
     */
    static final long MAX_ALLOCATED_BYTES = 512L << 20;

    private static final DatasetLimits LIMITS = DatasetLimits.defaults().withMaxTotalBytes(64L << 20);

    @BeforeAll
    static void loadTheClassesTheSeedsUse() throws IOException {
        for (byte[] seed : seeds().values()) {
            FuzzInput.read(seed, "upload", Long.MAX_VALUE, DatasetUploadFuzzTest::upload);
        }
    }

    @FuzzTest
    void datasetUpload(byte[] bytes) throws IOException {
        FuzzInput.read(bytes, "upload", MAX_ALLOCATED_BYTES, DatasetUploadFuzzTest::upload);
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

    /** Rewrites the seeds of the corpus; run from the project directory. */
    public static void main(String[] args) throws IOException {
        Path corpus = Path.of("src/test/resources/io/shears/data/DatasetUploadFuzzTestInputs/datasetUpload");
        Files.createDirectories(corpus);
        for (Map.Entry<String, byte[]> seed : seeds().entrySet()) {
            Files.write(corpus.resolve(seed.getKey()), seed.getValue());
        }
    }

    /** ImageFolder (PNG and JPEG, flat and in one folder) and IDX layouts (plain and gzipped) as zip, tar.gz, tar. */
    private static Map<String, byte[]> seeds() throws IOException {
        Map<String, byte[]> folder = merge(imageFolder("", "train", "cat", 3, "dog", 3),
                imageFolder("", "val", "cat", 1, "dog", 1));
        Map<String, byte[]> nestedFolder = merge(imageFolder("animals/", "train", "ant", 2, "bee", 2, "cow", 2),
                entries("animals/train/bee/001.jpg", Fixtures.rgbJpeg(4, 4, (x, y) -> x * 40 << 16 | y * 40)));
        Map<String, byte[]> idx = entries(
                "train-images-idx3-ubyte.gz", gzip(idxImages(6, 4, 4, (i, p) -> (i * 31 + p * 7) & 0xff)),
                "train-labels-idx1-ubyte.gz", gzip(idxLabels(new int[] {0, 1, 2, 0, 1, 2})),
                "t10k-images-idx3-ubyte", idxImages(3, 4, 4, (i, p) -> (i + p) & 0xff),
                "t10k-labels-idx1-ubyte", idxLabels(new int[] {2, 1, 0}));
        Path dir = Files.createTempDirectory("seeds");
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("image-folder.zip", Files.readAllBytes(Fixtures.zip(dir.resolve("1"), folder)));
        seeds.put("image-folder-nested.tar.gz", Files.readAllBytes(Fixtures.tarGz(dir.resolve("2"), nestedFolder)));
        seeds.put("image-folder.tar", Files.readAllBytes(Fixtures.tar(dir.resolve("3"), folder)));
        seeds.put("idx.zip", Files.readAllBytes(Fixtures.zip(dir.resolve("4"), idx)));
        seeds.put("idx.tar.gz", Files.readAllBytes(Fixtures.tarGz(dir.resolve("5"), idx)));
        for (String name : List.of("1", "2", "3", "4", "5", "")) {
            Files.delete(dir.resolve(name));
        }
        return seeds;
    }
}
