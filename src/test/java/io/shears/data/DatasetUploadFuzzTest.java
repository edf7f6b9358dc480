package io.shears.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.shears.testing.FuzzInput;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
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
 * is an input that runs over the timeout or allocates past {@link #MAX_ALLOCATED_BYTES}.
 *
 * <p>A normal build runs this over the committed corpus in {@code DatasetUploadFuzzTestInputs/datasetUpload} only;
 * {@code bench/fuzz.sh} fuzzes it. {@link #main} rewrites the seeds of that corpus.
 */
class DatasetUploadFuzzTest {
    /** Far above what a few-kilobyte archive of small images needs; far below a forged header's claim. */
    static final long MAX_ALLOCATED_BYTES = 512L << 20;

    private static final DatasetLimits LIMITS = DatasetLimits.defaults().withMaxTotalBytes(64L << 20);

    @Timeout(10)
    @FuzzTest
    void datasetUpload(byte[] bytes) throws IOException {
        FuzzInput.read(bytes, "upload", MAX_ALLOCATED_BYTES, file -> {
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
        });
    }

    /** Writes the seed corpus: ImageFolder and IDX layouts as zip, tar.gz and tar. */
    public static void main(String[] args) throws IOException {
        Path corpus = Path.of("src/test/resources/io/shears/data/DatasetUploadFuzzTestInputs/datasetUpload");
        Files.createDirectories(corpus);
        Path dir = Files.createTempDirectory("seeds");
        Map<String, byte[]> folder = merge(imageFolder("", "train", "cat", 3, "dog", 3),
                imageFolder("", "val", "cat", 1, "dog", 1));
        Map<String, byte[]> nestedFolder = merge(imageFolder("animals/", "train", "ant", 2, "bee", 2, "cow", 2),
                entries("animals/train/bee/001.jpg", Fixtures.rgbJpeg(4, 4, (x, y) -> x * 40 << 16 | y * 40)));
        Map<String, byte[]> idx = entries(
                "train-images-idx3-ubyte.gz", gzip(idxImages(6, 4, 4, (i, p) -> (i * 31 + p * 7) & 0xff)),
                "train-labels-idx1-ubyte.gz", gzip(idxLabels(new int[] {0, 1, 2, 0, 1, 2})),
                "t10k-images-idx3-ubyte", idxImages(3, 4, 4, (i, p) -> (i + p) & 0xff),
                "t10k-labels-idx1-ubyte", idxLabels(new int[] {2, 1, 0}));
        copy(Fixtures.zip(dir.resolve("a"), folder), corpus.resolve("image-folder.zip"));
        copy(Fixtures.tarGz(dir.resolve("b"), nestedFolder), corpus.resolve("image-folder-nested.tar.gz"));
        copy(Fixtures.tar(dir.resolve("c"), folder), corpus.resolve("image-folder.tar"));
        copy(Fixtures.zip(dir.resolve("d"), idx), corpus.resolve("idx.zip"));
        copy(Fixtures.tarGz(dir.resolve("e"), idx), corpus.resolve("idx.tar.gz"));
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
