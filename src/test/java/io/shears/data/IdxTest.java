package io.shears.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static io.shears.data.DatasetErrorsTest.assertRefused;
import static io.shears.data.Fixtures.entries;
import static io.shears.data.Fixtures.gzip;
import static io.shears.data.Fixtures.idxImages;
import static io.shears.data.Fixtures.idxLabels;
import static org.assertj.core.api.Assertions.assertThat;

class IdxTest {
    @TempDir
    Path dir;

    /** Image i has every pixel p equal to (i * 3 + p) mod 256; label i mod 10. */
    private static byte[] images(int n) {
        return idxImages(n, 5, 4, (i, p) -> (i * 3 + p) & 0xff);
    }

    private static int[] labels(int n, int classes) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        return labels;
    }

    @Test
    void readsGzippedTrainAndT10kFromAZip() {
        Path zip = Fixtures.zip(dir.resolve("mnist.zip"), entries(
                "train-images-idx3-ubyte.gz", gzip(images(50)),
                "train-labels-idx1-ubyte.gz", gzip(idxLabels(labels(50, 10))),
                "t10k-images-idx3-ubyte.gz", gzip(images(20)),
                "t10k-labels-idx1-ubyte.gz", gzip(idxLabels(labels(20, 10)))));

        try (Dataset d = Dataset.open(zip)) {
            assertThat(d.format()).isEqualTo(DatasetFormat.IDX);
            assertThat(d.classes()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            assertThat(d.trainCount()).isEqualTo(50);
            assertThat(d.valCount()).isEqualTo(20);
            assertThat(d.validationFromArchive()).isTrue();
            assertThat(d.imageShape()).isEqualTo(new ImageShape(1, 5, 4));
            assertThat(d.classCounts(Split.VAL)).containsOnly(2);
            assertThat(d.sampleName(Split.VAL, 3)).isEqualTo("t10k-images-idx3-ubyte.gz#3");
            assertThat(d.label(Split.VAL, 3)).isEqualTo(3);

            Batch b = d.batch(Split.TRAIN, new int[] {7});
            assertThat(b.labels()).containsExactly(7);
            for (int p = 0; p < 20; p++) {
                assertThat(b.data()[p]).isEqualTo(((7 * 3 + p) & 0xff) / 255f);
            }
            Batch v = d.batch(Split.VAL, new int[] {19});
            assertThat(v.data()[0]).isEqualTo((19 * 3) / 255f);
        }
    }

    @Test
    void rawFilesInATarGzAndTheDottedNamesWorkToo() {
        Path tgz = Fixtures.tarGz(dir.resolve("mnist.tgz"), entries(
                "mnist/train-images.idx3-ubyte", images(30),
                "mnist/train-labels.idx1-ubyte", idxLabels(labels(30, 3)),
                "mnist/t10k-images.idx3-ubyte", images(6),
                "mnist/t10k-labels.idx1-ubyte", idxLabels(labels(6, 3))));

        try (Dataset d = Dataset.open(tgz)) {
            assertThat(d.classes()).containsExactly("0", "1", "2");
            assertThat(d.trainCount()).isEqualTo(30);
            assertThat(d.valCount()).isEqualTo(6);
        }
    }

    @Test
    void withoutT10kTheSplitIsStratifiedAndSeeded() {
        Map<String, byte[]> content = entries(
                "train-images-idx3-ubyte", images(100),
                "train-labels-idx1-ubyte.gz", gzip(idxLabels(labels(100, 4))));
        Path zip = Fixtures.zip(dir.resolve("d.zip"), content);

        try (Dataset a = Dataset.open(zip); Dataset b = Dataset.open(zip);
             Dataset c = Dataset.open(zip, DatasetOptions.defaults().withSeed(99))) {
            assertThat(a.validationFromArchive()).isFalse();
            assertThat(a.classCounts(Split.VAL)).containsExactly(3, 3, 3, 3); // round(0.1 * 25) = 3 per class
            assertThat(a.classCounts(Split.TRAIN)).containsExactly(22, 22, 22, 22);
            assertThat(ImageFolderTest.names(b, Split.VAL)).isEqualTo(ImageFolderTest.names(a, Split.VAL));
            assertThat(ImageFolderTest.names(c, Split.VAL)).isNotEqualTo(ImageFolderTest.names(a, Split.VAL));
            // validation keeps file order
            int[] indices = ImageFolderTest.names(a, Split.VAL).stream()
                    .mapToInt(n -> Integer.parseInt(n.substring(n.indexOf('#') + 1))).toArray();
            assertThat(indices).isSorted();
            for (int i = 0; i < a.valCount(); i++) {
                assertThat(a.label(Split.VAL, i)).isEqualTo(indices[i] % 4);
            }
        }
    }

    @Test
    void classesAreTheLabelValuesPresent() {
        int[] labels = {3, 7, 5, 3, 7, 5, 3, 7, 5};
        Path zip = Fixtures.zip(dir.resolve("d.zip"), entries(
                "train-images-idx3-ubyte", images(9), "train-labels-idx1-ubyte", idxLabels(labels)));

        try (Dataset d = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0))) {
            assertThat(d.classes()).containsExactly("3", "5", "7");
            assertThat(d.label(Split.TRAIN, 0)).isZero();
            assertThat(d.label(Split.TRAIN, 1)).isEqualTo(2);
            assertThat(d.label(Split.TRAIN, 2)).isEqualTo(1);
        }
    }

    @Test
    void idxSamplesAreCachedAtTheirOwnSizeButResizedOnesAreMadeAgain() {
        Path zip = Fixtures.zip(dir.resolve("c.zip"), entries("train-images-idx3-ubyte", images(6),
                "train-labels-idx1-ubyte", idxLabels(labels(6, 2))));
        DatasetOptions cached = DatasetOptions.defaults().withValFraction(0).withPreprocessedCache(1 << 20)
                .withSpoolDirectory(dir.resolve("spool"));
        try (Dataset atOwnSize = Dataset.open(zip, cached);
             Dataset resized = Dataset.open(zip, cached.withPreprocessing(Preprocessing.identity().withResize(10)
                     .withCrop(10, 8)))) {
            for (int epoch = 0; epoch < 2; epoch++) {
                atOwnSize.batches(Split.TRAIN, 4, epoch).forEachRemaining(b -> { });
                resized.batches(Split.TRAIN, 4, epoch).forEachRemaining(b -> { });
            }
            assertThat(atOwnSize.decodeCount()).as("read once, then from the cache").isEqualTo(6);
            assertThat(resized.decodeCount()).as("resizing raw pixels beats reading 5x the floats").isEqualTo(12);
        }
    }

    @Test
    void idxPreprocessingCanResizeAndReplicate() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), entries(
                "train-images-idx3-ubyte", idxImages(2, 4, 4, (i, p) -> 255),
                "train-labels-idx1-ubyte", idxLabels(new int[] {0, 1})));
        Preprocessing p = Preprocessing.identity().withResize(8).withCrop(6, 6)
                .withChannels(Preprocessing.Channels.RGB).withNormalisation(new float[] {0.5f}, new float[] {0.5f});

        try (Dataset d = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0).withPreprocessing(p))) {
            assertThat(d.imageShape()).isEqualTo(new ImageShape(3, 6, 6));
            assertThat(d.batch(Split.TRAIN, new int[] {0, 1}).data()).hasSize(2 * 3 * 36).containsOnly(1f);
        }
    }

    // ---- refusals

    @Test
    void aWrongMagicNumberIsRefused() {
        byte[] bad = images(3);
        bad[1] = 1;
        assertIdxRefused(bad, idxLabels(labels(3, 2)), DatasetProblem.DATASET_IDX_INVALID,
                "train-images-idx3-ubyte", "magic number 0x00010803");
    }

    @Test
    void labelsInPlaceOfImagesAreRefusedByTheirDimensionCount() {
        assertIdxRefused(idxLabels(labels(3, 2)), idxLabels(labels(3, 2)), DatasetProblem.DATASET_IDX_INVALID,
                "train-images-idx3-ubyte", "1 dimensions, expected 3");
    }

    @Test
    void aNonByteElementTypeIsRefused() {
        byte[] floats = images(3);
        floats[2] = 0x0D;
        assertIdxRefused(floats, idxLabels(labels(3, 2)), DatasetProblem.DATASET_IDX_INVALID, "type 0x0d");
    }

    @Test
    void countsMustAgree() {
        assertIdxRefused(images(4), idxLabels(labels(3, 2)), DatasetProblem.DATASET_IDX_INVALID,
                "holds 4 images", "3 labels");
    }

    @Test
    void aTruncatedOrOverlongFileIsRefused() {
        byte[] images = images(4);
        assertIdxRefused(Arrays.copyOf(images, images.length - 1), idxLabels(labels(4, 2)),
                DatasetProblem.DATASET_IDX_INVALID, "train-images-idx3-ubyte", "4x5x4", "needs exactly 96");
        assertIdxRefused(Arrays.copyOf(images, images.length + 3), idxLabels(labels(4, 2)),
                DatasetProblem.DATASET_IDX_INVALID, "is 99 bytes long");
        assertIdxRefused(new byte[] {0, 0}, idxLabels(labels(4, 2)), DatasetProblem.DATASET_IDX_INVALID,
                "too short");
    }

    @Test
    void absurdImageDimensionsAreRefused() {
        byte[] header = ByteBuffer.allocate(16).putInt(0x803).putInt(1).putInt(20000).putInt(20000).array();
        assertIdxRefused(header, idxLabels(new int[] {0}), DatasetProblem.DATASET_IMAGE_TOO_LARGE, "20000x20000");
    }

    @Test
    void anEmptyIdxFileIsAnEmptyDataset() {
        assertIdxRefused(images(0), idxLabels(new int[0]), DatasetProblem.DATASET_EMPTY, "train-images-idx3-ubyte");
    }

    @Test
    void aMissingPartnerFileIsNamed() {
        Path onlyImages = Fixtures.zip(dir.resolve("a.zip"), entries("train-images-idx3-ubyte.gz", gzip(images(3))));
        Path halfT10k = Fixtures.zip(dir.resolve("b.zip"), entries("train-images-idx3-ubyte", images(3),
                "train-labels-idx1-ubyte", idxLabels(labels(3, 2)), "t10k-images-idx3-ubyte", images(2)));

        assertRefused(() -> Dataset.open(onlyImages), DatasetProblem.DATASET_IDX_INVALID, "train-labels-idx1-ubyte");
        assertRefused(() -> Dataset.open(halfT10k), DatasetProblem.DATASET_IDX_INVALID, "t10k-labels-idx1-ubyte");
    }

    @Test
    void t10kMustHaveTheSameImageSizeAndLabels() {
        Path size = Fixtures.zip(dir.resolve("a.zip"), entries("train-images-idx3-ubyte", images(4),
                "train-labels-idx1-ubyte", idxLabels(labels(4, 2)),
                "t10k-images-idx3-ubyte", idxImages(2, 4, 4, (i, p) -> 0),
                "t10k-labels-idx1-ubyte", idxLabels(labels(2, 2))));
        Path classes = Fixtures.zip(dir.resolve("b.zip"), entries("train-images-idx3-ubyte", images(4),
                "train-labels-idx1-ubyte", idxLabels(labels(4, 2)),
                "t10k-images-idx3-ubyte", images(2),
                "t10k-labels-idx1-ubyte", idxLabels(new int[] {0, 9})));

        assertRefused(() -> Dataset.open(size), DatasetProblem.DATASET_IDX_INVALID, "4x4", "5x4");
        assertRefused(() -> Dataset.open(classes), DatasetProblem.DATASET_CLASSES_MISMATCH, "only in train: [1]",
                "only in t10k: [9]");
    }

    @Test
    void twoFilesOfTheSameKindAreAmbiguous() {
        Path zip = Fixtures.zip(dir.resolve("a.zip"), entries("a/train-images-idx3-ubyte", images(3),
                "b/train-images-idx3-ubyte.gz", gzip(images(3)), "train-labels-idx1-ubyte", idxLabels(labels(3, 2))));

        assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_LAYOUT_UNKNOWN, "a/train-images-idx3-ubyte",
                "b/train-images-idx3-ubyte.gz");
    }

    private void assertIdxRefused(byte[] images, byte[] labels, DatasetProblem problem, String... inMessage) {
        Path zip = Fixtures.zip(dir.resolve("bad.zip"), entries("train-images-idx3-ubyte", images,
                "train-labels-idx1-ubyte", labels));
        assertRefused(() -> Dataset.open(zip), problem, inMessage);
    }
}
