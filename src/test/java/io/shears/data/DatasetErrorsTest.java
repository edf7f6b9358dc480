package io.shears.data;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static io.shears.data.Fixtures.entries;
import static io.shears.data.Fixtures.imageFolder;
import static io.shears.data.Fixtures.merge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/** Every refusal has its own code and a message that names the culprit. */
class DatasetErrorsTest {
    @TempDir
    Path dir;

    private static final DatasetOptions NO_SPLIT = DatasetOptions.defaults().withValFraction(0);

    // ---- archive format

    @Test
    void aFileThatIsNoArchiveIsRefusedByItsFirstBytes() throws Exception {
        Path png = Files.write(dir.resolve("data.zip"), Fixtures.smallPng(1));
        Path empty = Files.write(dir.resolve("empty.tar.gz"), new byte[0]);

        assertRefused(() -> Dataset.open(png), DatasetProblem.DATASET_UNSUPPORTED_FORMAT, "the upload starts with",
                "0x89504e47");
        assertRefused(() -> Dataset.open(empty), DatasetProblem.DATASET_UNSUPPORTED_FORMAT, "empty file");
    }

    @Test
    void aTruncatedTarGzIsCorrupt() throws Exception {
        Path good = Fixtures.tarGz(dir.resolve("good.tgz"), imageFolder("", "train", "a", 30, "b", 30));
        byte[] bytes = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.tgz"), Arrays.copyOf(bytes, bytes.length / 2));

        assertRefused(() -> Dataset.open(cut), DatasetProblem.DATASET_ARCHIVE_CORRUPT, "does not read as tar.gz");
    }

    @Test
    void aTruncatedZipIsCorrupt() throws Exception {
        Map<String, byte[]> content = entries(
                "train/a/1.png", Fixtures.greyPng(64, 64, (x, y) -> (x * 31 + y * 17) & 0xff),
                "train/a/2.png", Fixtures.greyPng(64, 64, (x, y) -> (x * 7 + y * 5) & 0xff));
        byte[] bytes = Files.readAllBytes(Fixtures.zip(dir.resolve("good.zip"), content));
        Path cut = Files.write(dir.resolve("cut.zip"), Arrays.copyOf(bytes, bytes.length / 3));

        assertRefused(() -> Dataset.open(cut), DatasetProblem.DATASET_ARCHIVE_CORRUPT, "does not read as zip");
    }

    @Test
    void aZipEntryCompressedWithZstdIsAnUnsupportedFormat() throws Exception {
        byte[] bytes = Files.readAllBytes(Fixtures.zip(dir.resolve("good.zip"), imageFolder("", "train", "a", 2)));
        // the first local header's compression method (offset 8, little-endian) becomes 93, zstd
        bytes[8] = 93;
        bytes[9] = 0;
        Path zstd = Files.write(dir.resolve("zstd.zip"), bytes);

        assertRefused(() -> Dataset.open(zstd), DatasetProblem.DATASET_UNSUPPORTED_FORMAT, "method (93)");
    }

    @Test
    void gzipThatHoldsNoTarIsCorrupt() throws Exception {
        Path gz = Files.write(dir.resolve("x.tgz"), Fixtures.gzip("just some text, not a tar".repeat(40).getBytes()));

        assertRefused(() -> Dataset.open(gz), DatasetProblem.DATASET_ARCHIVE_CORRUPT, "does not read as tar.gz");
    }

    // ---- zip slip and links

    @Test
    void zipSlipNamesAreRefused() {
        for (String name : new String[] {"../evil.png", "train/a/../../../evil.png", "/etc/evil.png",
                "C:\\evil\\x.png", "\\\\host\\share\\x.png", "train\\a\\..\\..\\..\\x.png"}) {
            Path zip = Fixtures.zip(dir.resolve("slip.zip"), merge(imageFolder("", "train", "a", 1),
                    entries(name, Fixtures.smallPng(1))));
            // the zip writer stores backslashes of DOS-style names as slashes; the message names the entry as stored
            String stored = name.contains("/") ? name : name.replace('\\', '/');
            assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_UNSAFE_PATH, stored);
        }
    }

    @Test
    void zipSlipNamesAreRefusedInTarGzToo() {
        Path tgz = Fixtures.tarGz(dir.resolve("slip.tgz"), merge(imageFolder("", "train", "a", 1),
                entries("train/../../evil.png", Fixtures.smallPng(1))));

        assertRefused(() -> Dataset.open(tgz), DatasetProblem.DATASET_UNSAFE_PATH, "train/../../evil.png", "..");
    }

    @Test
    void linksInATarAreRefused() {
        Map<String, byte[]> files = imageFolder("", "train", "a", 2);
        Path symlink = Fixtures.tarGzWithLink(dir.resolve("s.tgz"), files, "train/a/link.png", "/etc/passwd", true);
        Path hardlink = Fixtures.tarGzWithLink(dir.resolve("h.tgz"), files, "train/a/hard.png", "train/a/000.png",
                false);

        assertRefused(() -> Dataset.open(symlink), DatasetProblem.DATASET_UNSAFE_PATH, "train/a/link.png", "link");
        assertRefused(() -> Dataset.open(hardlink), DatasetProblem.DATASET_UNSAFE_PATH, "train/a/hard.png", "link");
    }

    @Test
    void aSymbolicLinkInAZipIsRefusedNotReadAsAnImage() {
        Map<String, byte[]> files = imageFolder("", "train", "a", 2);
        Path zip = Fixtures.zipWithSymlink(dir.resolve("s.zip"), files, "train/a/link.png", "/etc/passwd");

        assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_UNSAFE_PATH, "train/a/link.png", "link");
    }

    // ---- zip bombs and size limits

    @Test
    void anEntryThatInflatesPastTheRatioIsAZipBomb() {
        Path bomb = Fixtures.zipOfZeros(dir.resolve("bomb.zip"), imageFolder("", "train", "a", 2),
                "train/a/bomb.png", 64L << 20);

        assertRefused(() -> Dataset.open(bomb), DatasetProblem.DATASET_ZIP_BOMB, "train/a/bomb.png", "100 times");
    }

    @Test
    void aBombInAnIgnoredEntryIsStoppedToo() {
        Path bomb = Fixtures.zipOfZeros(dir.resolve("bomb.zip"), imageFolder("", "train", "a", 2),
                "docs/zeros.bin", 64L << 20);

        assertRefused(() -> Dataset.open(bomb), DatasetProblem.DATASET_ZIP_BOMB, "docs/zeros.bin");
    }

    @Test
    void aGzipInsideAZipCountsItsUnpackedBytesAgainstTheZipEntry() {
        // 32 MiB of zeros, gzipped (about 32 KiB), then put in a zip: the ratio counts the gunzipped bytes
        byte[] zeros = new byte[32 << 20];
        byte[] nested = Fixtures.gzip(Fixtures.gzip(zeros));
        Path zip = Fixtures.zip(dir.resolve("nested.zip"), entries("train-images-idx3-ubyte.gz", Fixtures.gzip(zeros),
                "train-labels-idx1-ubyte.gz", nested));

        assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_ZIP_BOMB, "train-images-idx3-ubyte.gz");
    }

    @Test
    void aBombInATarGzIsStopped() {
        Path tgz = Fixtures.tarGz(dir.resolve("bomb.tgz"), merge(imageFolder("", "train", "a", 2),
                entries("train/a/zeros.png", new byte[24 << 20])));

        assertRefused(() -> Dataset.open(tgz), DatasetProblem.DATASET_ZIP_BOMB, "train/a/zeros.png");
    }

    @Test
    void theTotalUnpackedSizeIsLimited() {
        Path zip = Fixtures.zip(dir.resolve("big.zip"), imageFolder("", "train", "a", 50, "b", 50));
        DatasetOptions small = NO_SPLIT.withLimits(DatasetLimits.defaults().withMaxTotalBytes(2000));

        assertRefused(() -> Dataset.open(zip, small), DatasetProblem.DATASET_TOO_LARGE, "2000 bytes");
    }

    @Test
    void theNumberOfEntriesIsLimited() {
        Path zip = Fixtures.zip(dir.resolve("many.zip"), imageFolder("", "train", "a", 30));
        DatasetOptions few = NO_SPLIT.withLimits(DatasetLimits.defaults().withMaxEntries(10));

        assertRefused(() -> Dataset.open(zip, few), DatasetProblem.DATASET_TOO_LARGE, "10 entries");
    }

    @Test
    void theNumberOfClassesIsLimitedInEitherLayout() {
        Path folder = Fixtures.zip(dir.resolve("classes.zip"), imageFolder("", "train", "a", 1, "b", 1, "c", 1,
                "d", 1));
        int[] labels = {0, 1, 2, 3, 0, 1, 2, 3};
        Path idx = Fixtures.zip(dir.resolve("idx.zip"), entries(
                "train-images-idx3-ubyte", Fixtures.idxImages(labels.length, 4, 4, (i, p) -> i * 16 + p),
                "train-labels-idx1-ubyte", Fixtures.idxLabels(labels)));
        DatasetOptions three = NO_SPLIT.withLimits(DatasetLimits.defaults().withMaxClasses(3));
        DatasetOptions four = NO_SPLIT.withLimits(DatasetLimits.defaults().withMaxClasses(4));

        assertRefused(() -> Dataset.open(folder, three), DatasetProblem.DATASET_TOO_MANY_CLASSES, "train/",
                "4 classes", "limit of 3");
        assertRefused(() -> Dataset.open(idx, three), DatasetProblem.DATASET_TOO_MANY_CLASSES,
                "train-labels-idx1-ubyte", "4 classes", "limit of 3");
        try (Dataset d = Dataset.open(folder, four); Dataset i = Dataset.open(idx, four)) {
            assertThat(d.classCount()).isEqualTo(4);
            assertThat(i.classCount()).isEqualTo(4);
        }
        assertThat(DatasetLimits.defaults().maxClasses()).isEqualTo(1000);
    }

    // ---- absurd images

    @Test
    void anImageDeclaringAnAbsurdSizeIsRefusedBeforeItIsDecoded() {
        // the header claims 20000 x 20000 and no pixel data follows: decoding would fail, so only a header check
        // can report the size
        Path side = Fixtures.zip(dir.resolve("side.zip"), merge(imageFolder("", "train", "a", 2),
                entries("train/a/huge.png", Fixtures.pngHeaderOnly(20000, 8))));
        Path pixels = Fixtures.zip(dir.resolve("pixels.zip"), merge(imageFolder("", "train", "a", 2),
                entries("train/a/huge.png", Fixtures.pngHeaderOnly(12000, 12000))));

        assertRefused(() -> Dataset.open(side), DatasetProblem.DATASET_IMAGE_TOO_LARGE, "train/a/huge.png",
                "20000x8");
        assertRefused(() -> Dataset.open(pixels), DatasetProblem.DATASET_IMAGE_TOO_LARGE, "train/a/huge.png",
                "12000x12000");
    }

    @Test
    void imageLimitsAreConfigurable() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), merge(imageFolder("", "train", "a", 2),
                entries("train/a/big.png", Fixtures.greyPng(40, 30, (x, y) -> x))));
        DatasetOptions tight = NO_SPLIT.withLimits(DatasetLimits.defaults().withImageLimits(1 << 20, 16384, 1000));
        DatasetOptions tinyFiles = NO_SPLIT.withLimits(DatasetLimits.defaults().withImageLimits(100, 16384, 1000));

        assertRefused(() -> Dataset.open(zip, tight), DatasetProblem.DATASET_IMAGE_TOO_LARGE, "train/a/big.png",
                "40x30");
        assertRefused(() -> Dataset.open(zip, tinyFiles), DatasetProblem.DATASET_IMAGE_TOO_LARGE, "larger than",
                "100 bytes");
    }

    // ---- corrupt images

    @Test
    void corruptImagesPastTheToleranceMakeTheDatasetInvalid() {
        byte[] jpeg = Fixtures.rgbJpeg(32, 32, (x, y) -> x * 8 << 16 | y * 8);
        Path zip = Fixtures.zip(dir.resolve("d.zip"), merge(imageFolder("", "train", "a", 4, "b", 4),
                entries("train/a/garbage.png", "not an image at all".getBytes(),
                        "train/b/empty.jpg", new byte[0],
                        "train/b/truncated.jpg", Arrays.copyOf(jpeg, jpeg.length / 2))));

        assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_INVALID, "3 of 11 images are corrupt",
                "train/a/garbage.png", "train/b/empty.jpg", "train/b/truncated.jpg");
    }

    @Test
    void theCorruptToleranceIsAFractionOrACount() {
        Map<String, byte[]> content = merge(imageFolder("", "train", "a", 98),
                entries("train/a/x.png", new byte[] {1}, "train/a/y.png", new byte[] {2}));
        Path zip = Fixtures.zip(dir.resolve("d.zip"), content);
        DatasetOptions twoPercent = NO_SPLIT.withLimits(DatasetLimits.defaults().withCorruptTolerance(0.02, 0));
        DatasetOptions twoImages = NO_SPLIT.withLimits(DatasetLimits.defaults().withCorruptTolerance(0, 2));

        // default: max(1, 1% of 100) = 1 < 2
        assertRefused(() -> Dataset.open(zip, NO_SPLIT), DatasetProblem.DATASET_INVALID, "2 of 100", "1 tolerated");
        try (Dataset a = Dataset.open(zip, twoPercent); Dataset b = Dataset.open(zip, twoImages)) {
            assertThat(a.trainCount()).isEqualTo(98);
            assertThat(a.skipped()).extracting(SkippedImage::path).containsExactly("train/a/x.png", "train/a/y.png");
            assertThat(b.trainCount()).isEqualTo(98);
        }
    }

    @Test
    void aTruncatedJpegIsCorruptNotGrey() {
        byte[] jpeg = Fixtures.rgbJpeg(64, 64, (x, y) -> (x * 4) << 16 | (y * 4) << 8 | 0x40);
        Path zip = Fixtures.zip(dir.resolve("d.zip"), merge(imageFolder("", "train", "a", 3),
                entries("train/a/cut.jpg", Arrays.copyOf(jpeg, jpeg.length * 2 / 3))));
        DatasetOptions lenient = NO_SPLIT.withLimits(DatasetLimits.defaults().withCorruptTolerance(0.5, 5));

        try (Dataset d = Dataset.open(zip, lenient)) {
            assertThat(d.skipped()).singleElement().extracting(SkippedImage::path).isEqualTo("train/a/cut.jpg");
        }
    }

    @Test
    void aJpegMissingOnlyItsEndMarkerIsAccepted() {
        byte[] jpeg = Fixtures.rgbJpeg(4, 4, (x, y) -> 0x204060);
        Path zip = Fixtures.zip(dir.resolve("d.zip"), merge(imageFolder("", "train", "a", 3),
                entries("train/a/no-eoi.jpg", Arrays.copyOf(jpeg, jpeg.length - 2))));

        try (Dataset d = Dataset.open(zip, NO_SPLIT)) {
            assertThat(d.skipped()).isEmpty();
            assertThat(d.trainCount()).isEqualTo(4);
        }
    }

    @Test
    void otherImageFormatsAreCorrupt() throws Exception {
        java.io.ByteArrayOutputStream gif = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "gif", gif);
        Path zip = Fixtures.zip(dir.resolve("d.zip"), merge(imageFolder("", "train", "a", 3),
                entries("train/a/anim.png", gif.toByteArray())));
        DatasetOptions lenient = NO_SPLIT.withLimits(DatasetLimits.defaults().withCorruptTolerance(0.5, 5));

        try (Dataset d = Dataset.open(zip, lenient)) {
            assertThat(d.skipped()).singleElement().satisfies(s -> assertThat(s.reason()).contains("GIF"));
        }
    }

    // ---- layout, emptiness, classes

    @Test
    void anUnknownLayoutSaysWhatWasExpectedAndWhatWasFound() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), merge(imageFolder("", "images", "a", 2),
                entries("labels.csv", "a,b".getBytes())));

        assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_LAYOUT_UNKNOWN, "train/<class>/",
                "train-images-idx3-ubyte", "images/", "labels.csv");
    }

    @Test
    void twoWrappedDatasetsAreAmbiguous() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), merge(imageFolder("one/", "train", "a", 2),
                imageFolder("two/", "train", "a", 2)));

        assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_LAYOUT_UNKNOWN, "one/", "two/");
    }

    @Test
    void imagesAndIdxFilesTogetherAreAmbiguous() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), merge(imageFolder("", "train", "a", 2),
                entries("train-images-idx3-ubyte", Fixtures.idxImages(1, 2, 2, (i, p) -> 0),
                        "train-labels-idx1-ubyte", Fixtures.idxLabels(new int[] {0}))));

        assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_LAYOUT_UNKNOWN, "IDX", "train/");
    }

    @Test
    void anEmptyArchiveIsEmpty() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), Map.of());
        Path onlyNoise = Fixtures.zip(dir.resolve("n.zip"), entries("__MACOSX/._x", new byte[] {1}, ".DS_Store",
                new byte[] {2}));

        assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_EMPTY, "no files");
        assertRefused(() -> Dataset.open(onlyNoise), DatasetProblem.DATASET_EMPTY, "no files");
    }

    @Test
    void imagesDirectlyInTrainWithoutClassFoldersAreAnEmptyDataset() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), entries("data/train/1.png", Fixtures.smallPng(1),
                "data/train/2.png", Fixtures.smallPng(2)));

        assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_EMPTY, "data/train/ holds no class folders",
                "data/train/<class>/", "data/train/1.png");
    }

    @Test
    void aClassFolderWithoutImagesIsRefused() {
        Path emptyDir = Fixtures.zip(dir.resolve("a.zip"), merge(imageFolder("", "train", "cat", 2),
                entries("train/dog/", null)));
        Path onlyText = Fixtures.zip(dir.resolve("b.zip"), merge(imageFolder("", "train", "cat", 2),
                entries("train/dog/readme.txt", "woof".getBytes())));
        Path onlyCorrupt = Fixtures.zip(dir.resolve("c.zip"), merge(imageFolder("", "train", "cat", 200),
                entries("train/dog/1.png", new byte[] {1, 2})));
        Path emptyValClass = Fixtures.tarGz(dir.resolve("d.tgz"), merge(imageFolder("", "train", "cat", 2, "dog", 2),
                imageFolder("", "val", "cat", 1), entries("val/dog", null)));

        assertRefused(() -> Dataset.open(emptyDir), DatasetProblem.DATASET_CLASS_EMPTY, "train/dog");
        assertRefused(() -> Dataset.open(onlyText), DatasetProblem.DATASET_CLASS_EMPTY, "train/dog");
        assertRefused(() -> Dataset.open(onlyCorrupt), DatasetProblem.DATASET_CLASS_EMPTY, "train/dog");
        assertRefused(() -> Dataset.open(emptyValClass), DatasetProblem.DATASET_CLASS_EMPTY, "val/dog");
    }

    @Test
    void valClassesMustMatchTrainClasses() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), merge(imageFolder("", "train", "cat", 2, "dog", 2),
                imageFolder("", "val", "bird", 1, "cat", 1)));

        assertRefused(() -> Dataset.open(zip), DatasetProblem.DATASET_CLASSES_MISMATCH,
                "only in train: [dog]", "only in val: [bird]");
    }

    @Test
    void imagesOfDifferentSizesNeedACrop() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), entries("train/a/small.png", Fixtures.greyPng(4, 4, (x, y) -> 0),
                "train/a/wide.png", Fixtures.greyPng(6, 4, (x, y) -> 0)));

        assertRefused(() -> Dataset.open(zip, NO_SPLIT), DatasetProblem.DATASET_IMAGE_SIZES_DIFFER,
                "train/a/small.png", "train/a/wide.png", "4x4", "6x4");
        try (Dataset d = Dataset.open(zip, NO_SPLIT.withPreprocessing(Preprocessing.identity().withCrop(4, 4)))) {
            assertThat(d.imageShape()).isEqualTo(new ImageShape(1, 4, 4));
        }
    }

    @Test
    void anInconsistentPreprocessingIsRefused() {
        Path rgb = Fixtures.zip(dir.resolve("d.zip"),
                entries("train/a/1.png", Fixtures.rgbPng(4, 4, (x, y) -> 0xff0000)));
        Preprocessing twoMeans = Preprocessing.identity().withNormalisation(new float[] {0.5f, 0.5f}, new float[] {1});

        assertRefused(() -> Dataset.open(rgb, NO_SPLIT.withPreprocessing(twoMeans)),
                DatasetProblem.DATASET_PREPROCESSING_INVALID, "1 or 3 entries");
        Path grey = Fixtures.zip(dir.resolve("g.zip"), entries("train/a/1.png", Fixtures.smallPng(1)));
        Preprocessing keepWithImagenetStats = Preprocessing.identity()
                .withNormalisation(Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD);
        assertRefused(() -> Dataset.open(grey, NO_SPLIT.withPreprocessing(keepWithImagenetStats)),
                DatasetProblem.DATASET_PREPROCESSING_INVALID, "1 entry for 1 output channel, have 3 and 3");
        assertRefused(() -> Preprocessing.imagenet(224).withChannels(Preprocessing.Channels.GREY),
                DatasetProblem.DATASET_PREPROCESSING_INVALID, "1 entry");
        assertRefused(() -> Preprocessing.identity().withNormalisation(new float[] {0}, new float[] {0}),
                DatasetProblem.DATASET_PREPROCESSING_INVALID, "std");
        assertRefused(() -> Preprocessing.identity().withCrop(4, 0), DatasetProblem.DATASET_PREPROCESSING_INVALID,
                "crop");
        assertRefused(() -> Preprocessing.identity().withResize(-1), DatasetProblem.DATASET_PREPROCESSING_INVALID,
                "resizeShorter");
    }

    static void assertRefused(ThrowingCallable call, DatasetProblem problem, String... inMessage) {
        assertThatThrownBy(call).asInstanceOf(type(DatasetException.class)).satisfies(e -> {
            assertThat(e.problem()).as(e.getMessage()).isEqualTo(problem);
            assertThat(e.code()).isEqualTo(problem.name());
            assertThat(e.getMessage()).contains(inMessage);
        });
    }
}
