package io.shears.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Debian's dataset-fashion-mnist, zipped as a client would upload it; skipped where the package is absent. */
class FashionMnistTest {
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final String[] FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

    @TempDir
    Path dir;

    @Test
    void readsTheRealFashionMnistFromAZip() throws Exception {
        for (String f : FILES) {
            assumeTrue(Files.isReadable(FASHION.resolve(f)), "Debian package dataset-fashion-mnist is not installed");
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (String f : FILES) {
            entries.put("fashion-mnist/" + f, Files.readAllBytes(FASHION.resolve(f)));
        }
        Path zip = Fixtures.zip(dir.resolve("fashion-mnist.zip"), entries);

        try (Dataset d = Dataset.open(zip)) {
            assertThat(d.format()).isEqualTo(DatasetFormat.IDX);
            assertThat(d.classes()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            assertThat(d.trainCount()).isEqualTo(60_000);
            assertThat(d.valCount()).isEqualTo(10_000);
            assertThat(d.classCounts(Split.TRAIN)).containsOnly(6000);
            assertThat(d.classCounts(Split.VAL)).containsOnly(1000);
            assertThat(d.imageShape()).isEqualTo(new ImageShape(1, 28, 28));
            // the first training image of Fashion-MNIST is an ankle boot (label 9)
            assertThat(d.label(Split.TRAIN, 0)).isEqualTo(9);

            Batch b = d.batches(Split.TRAIN, 256, 0).next();
            assertThat(b.nchw()).containsExactly(256, 1, 28, 28);
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : b.data()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertThat(min).isEqualTo(0f);
            assertThat(max).isEqualTo(1f);
        }
    }
}
