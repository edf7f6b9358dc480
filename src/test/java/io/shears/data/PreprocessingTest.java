package io.shears.data;

import io.shears.data.Preprocessing.Channels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.shears.data.Fixtures.entries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The preprocessing numbers against hand computations on tiny images. */
class PreprocessingTest {
    private static final float EPS = 1e-6f;

    @TempDir
    Path dir;

    @Test
    void enlargingIsBilinearWithHalfPixelCentresAndClampedEdges() {
        // 2x2 -> 4x4. Per axis, outputs 0..3 take [1, 0], [.75, .25], [.25, .75], [0, 1] of inputs 0, 1:
        // rows first: [0, 100] -> [0, 25, 75, 100]; [200, 50] -> [200, 162.5, 87.5, 50]; then columns of those.
        float[] out = run(grey(2, 2, 0, 100, 200, 50), Preprocessing.identity().withResize(4), new ImageShape(1, 4, 4));

        assertPixels(out, 255,
                0, 25, 75, 100,
                50, 59.375f, 78.125f, 87.5f,
                150, 128.125f, 84.375f, 62.5f,
                200, 162.5f, 87.5f, 50);
    }

    @Test
    void shrinkingAveragesOverTheFootprintLikePil() {
        // 4x4 -> 2x2, scale 2: support 2 input pixels each side, weights max(0, 1 - |(j + .5 - c) / 2|) normalised:
        // output 0 (c = 1): inputs 0, 1, 2 with 3/7, 3/7, 1/7; output 1 (c = 3): inputs 1, 2, 3 with 1/7, 3/7, 3/7.
        // p(x, y) = 70 x + 10 y: along x, [0, 70, 140, 210] -> [50, 160]; along y, [0, 10, 20, 30] -> [50/7, 160/7].
        // Plain bilinear would give 35 and 175 instead.
        int[] p = new int[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                p[y * 4 + x] = 70 * x + 10 * y;
            }
        }
        float[] out = run(grey(4, 4, p), Preprocessing.identity().withResize(2), new ImageShape(1, 2, 2));

        assertPixels(out, 255,
                50 + 50 / 7f, 160 + 50 / 7f,
                50 + 160 / 7f, 160 + 160 / 7f);
    }

    @Test
    void resizeKeepsTheAspectRatioWithTheShorterSideAtN() {
        Preprocessing p = Preprocessing.identity().withResize(256);

        assertThat(p.resizedSize(300, 400)).containsExactly(256, 341);   // floor(256 * 400 / 300)
        assertThat(p.resizedSize(500, 375)).containsExactly(341, 256);
        assertThat(p.resizedSize(256, 256)).containsExactly(256, 256);
        assertThat(Preprocessing.identity().resizedSize(7, 9)).containsExactly(7, 9);
    }

    @Test
    void resizeThenCropThenNormalise() {
        // the 4x4 of the first test, centre 2x2 (top = left = rint((4 - 2) / 2) = 1), then (x / 255 - .5) / .25
        Preprocessing spec = new Preprocessing(4, 2, 2, Channels.KEEP, new float[] {0.5f}, new float[] {0.25f});
        float[] out = run(grey(2, 2, 0, 100, 200, 50), spec, new ImageShape(1, 2, 2));

        float[] expected = {59.375f, 78.125f, 128.125f, 84.375f};
        for (int i = 0; i < 4; i++) {
            assertThat(out[i]).isCloseTo((expected[i] / 255f - 0.5f) / 0.25f, within(1e-5f));
        }
    }

    @Test
    void centreCropRoundsHalfToEvenLikeTorchvision() {
        // width 5, crop 2: left = rint(1.5) = 2; width 7, crop 2: left = rint(2.5) = 2 (not 3)
        float[] five = run(grey(5, 1, 0, 10, 20, 30, 40), Preprocessing.identity().withCrop(1, 2),
                new ImageShape(1, 1, 2));
        float[] seven = run(grey(7, 1, 0, 10, 20, 30, 40, 50, 60), Preprocessing.identity().withCrop(1, 2),
                new ImageShape(1, 1, 2));

        assertPixels(five, 255, 20, 30);
        assertPixels(seven, 255, 20, 30);
    }

    @Test
    void aCropLargerThanTheImagePadsWithZerosBeforeNormalisation() {
        // 2x2 into 5x5: floor(3 / 2) = 1 row and column of padding before, 2 after
        Preprocessing spec = Preprocessing.identity().withCrop(5, 5)
                .withNormalisation(new float[] {0.5f}, new float[] {0.5f});
        float[] out = run(grey(2, 2, 255, 255, 255, 255), spec, new ImageShape(1, 5, 5));

        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 5; x++) {
                boolean inside = (y == 1 || y == 2) && (x == 1 || x == 2);
                assertThat(out[y * 5 + x]).as("(%d, %d)", x, y).isEqualTo(inside ? 1f : -1f);
            }
        }
    }

    @Test
    void greyIsReplicatedToThreeChannelsEachWithItsOwnMeanAndStd() {
        Preprocessing spec = Preprocessing.identity().withChannels(Channels.RGB)
                .withNormalisation(new float[] {0.1f, 0.2f, 0.3f}, new float[] {0.5f, 0.25f, 2f});
        float[] out = run(grey(2, 1, 51, 204), spec, new ImageShape(3, 1, 2));

        float[] mean = {0.1f, 0.2f, 0.3f};
        float[] std = {0.5f, 0.25f, 2f};
        for (int c = 0; c < 3; c++) {
            assertThat(out[c * 2]).isCloseTo((51 / 255f - mean[c]) / std[c], within(EPS));
            assertThat(out[c * 2 + 1]).isCloseTo((204 / 255f - mean[c]) / std[c], within(EPS));
        }
    }

    @Test
    void rgbBecomesItsLumaForOneChannel() {
        int[][] rgb = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}};
        float[] out = run(rgb(4, 1, rgb), Preprocessing.identity().withChannels(Channels.GREY),
                new ImageShape(1, 1, 4));

        assertThat(out[0]).isCloseTo(0.299f, within(EPS));
        assertThat(out[1]).isCloseTo(0.587f, within(EPS));
        assertThat(out[2]).isCloseTo(0.114f, within(EPS));
        assertThat(out[3]).isCloseTo((0.299f * 10 + 0.587f * 20 + 0.114f * 30) / 255f, within(EPS));
    }

    @Test
    void batchesAreNchw() {
        // two 3x2 RGB images; R = 10 x + y + 100 n, G = R + 1, B = R + 2 (8-bit values)
        Path zip = Fixtures.zip(dir.resolve("d.zip"), entries(
                "train/a/0.png", Fixtures.rgbPng(3, 2, (x, y) -> rgbOf(10 * x + y)),
                "train/a/1.png", Fixtures.rgbPng(3, 2, (x, y) -> rgbOf(100 + 10 * x + y))));
        try (Dataset d = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0))) {
            Batch b = d.batch(Split.TRAIN, new int[] {0, 1});

            assertThat(b.nchw()).containsExactly(2, 3, 2, 3);
            assertThat(b.data()).hasSize(2 * 3 * 2 * 3);
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 2; y++) {
                        for (int x = 0; x < 3; x++) {
                            float expected = (100 * n + 10 * x + y + c) / 255f;
                            assertThat(b.data()[((n * 3 + c) * 2 + y) * 3 + x]).isEqualTo(expected);
                        }
                    }
                }
            }
        }
    }

    @Test
    void sixteenBitGreyIsScaledBy65535() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), entries(
                "train/a/0.png", Fixtures.grey16Png(2, 1, (x, y) -> x == 0 ? 65535 : 1000)));
        try (Dataset d = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0))) {
            assertThat(d.imageShape()).isEqualTo(new ImageShape(1, 1, 2));
            assertThat(d.batch(Split.TRAIN, new int[] {0}).data()).containsExactly(1f, 1000 / 65535f);
        }
    }

    @Test
    void greyJpegKeepsItsSamples() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), entries("train/a/0.jpg", Fixtures.greyJpeg(8, 8, (x, y) -> 128)));
        try (Dataset d = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0))) {
            assertThat(d.imageShape()).isEqualTo(new ImageShape(1, 8, 8));
            for (float v : d.batch(Split.TRAIN, new int[] {0}).data()) {
                assertThat(v).isCloseTo(128 / 255f, within(2 / 255f));
            }
        }
    }

    @Test
    void aGreyPaletteIsGreyAndAColourPaletteIsColour() {
        int[] greys = {0x000000, 0x808080, 0xffffff};
        int[] colours = {0x000000, 0xff0000};
        Path grey = Fixtures.zip(dir.resolve("g.zip"), entries("train/a/0.png",
                Fixtures.palettePng(3, 1, greys, (x, y) -> x)));
        Path colour = Fixtures.zip(dir.resolve("c.zip"), entries("train/a/0.png",
                Fixtures.palettePng(2, 1, colours, (x, y) -> x)));
        DatasetOptions options = DatasetOptions.defaults().withValFraction(0);

        try (Dataset g = Dataset.open(grey, options); Dataset c = Dataset.open(colour, options)) {
            assertThat(g.imageShape()).isEqualTo(new ImageShape(1, 1, 3));
            assertThat(g.batch(Split.TRAIN, new int[] {0}).data()).containsExactly(0f, 128 / 255f, 1f);
            assertThat(c.imageShape()).isEqualTo(new ImageShape(3, 1, 2));
            assertThat(c.batch(Split.TRAIN, new int[] {0}).data()).containsExactly(0f, 1f, 0f, 0f, 0f, 0f);
        }
    }

    @Test
    void alphaIsDroppedNotComposited() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), entries("train/a/0.png",
                Fixtures.argbPng(1, 1, (x, y) -> 0x10336699)));
        try (Dataset d = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0))) {
            assertThat(d.batch(Split.TRAIN, new int[] {0}).data())
                    .containsExactly(0x33 / 255f, 0x66 / 255f, 0x99 / 255f);
        }
    }

    @Test
    void theImagenetPresetIsTorchvisionsEvaluationTransform() {
        Preprocessing p = Preprocessing.imagenet(224);

        assertThat(p.resizeShorter()).isEqualTo(256);
        assertThat(p.cropHeight()).isEqualTo(224);
        assertThat(p.cropWidth()).isEqualTo(224);
        assertThat(p.channels()).isEqualTo(Channels.RGB);
        assertThat(p.mean()).containsExactly(0.485f, 0.456f, 0.406f);
        assertThat(p.std()).containsExactly(0.229f, 0.224f, 0.225f);
        assertThat(p).isEqualTo(Preprocessing.imagenet(224)).hasSameHashCodeAs(Preprocessing.imagenet(224));
    }

    @Test
    void theImagenetPresetOnARealSizedPhotoGivesTheRightShapeAndFiniteValues() {
        Path zip = Fixtures.zip(dir.resolve("d.zip"), entries("train/a/0.jpg",
                Fixtures.rgbJpeg(500, 375, (x, y) -> (x % 256) << 16 | (y % 256) << 8 | 0x80)));
        try (Dataset d = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0)
                .withPreprocessing(Preprocessing.imagenet(224)))) {
            Batch b = d.batch(Split.TRAIN, new int[] {0});
            assertThat(b.nchw()).containsExactly(1, 3, 224, 224);
            for (float v : b.data()) {
                assertThat(v).isFinite().isBetween(-2.2f, 2.7f);
            }
        }
    }

    @Test
    void everyPixelLayoutReadsTheSameValuesAsGetRgb() {
        java.util.Random random = new java.util.Random(5);
        for (int type : new int[] {java.awt.image.BufferedImage.TYPE_3BYTE_BGR,
                java.awt.image.BufferedImage.TYPE_4BYTE_ABGR, java.awt.image.BufferedImage.TYPE_INT_RGB,
                java.awt.image.BufferedImage.TYPE_INT_ARGB, java.awt.image.BufferedImage.TYPE_INT_BGR}) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(7, 3, type);
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 7; x++) {
                    image.setRGB(x, y, 0xff000000 | random.nextInt(1 << 24));
                }
            }
            ImageDecoder.PixelSource src = ImageDecoder.pixels(image);
            assertThat(src.channels()).isEqualTo(3);
            float[] row = new float[3 * 7];
            for (int y = 0; y < 3; y++) {
                src.row(y, 0, 7, row);
                for (int x = 0; x < 7; x++) {
                    int p = image.getRGB(x, y);
                    assertThat(row[x]).as("type %d R", type).isEqualTo(((p >> 16) & 0xff) / 255f);
                    assertThat(row[7 + x]).as("type %d G", type).isEqualTo(((p >> 8) & 0xff) / 255f);
                    assertThat(row[14 + x]).as("type %d B", type).isEqualTo((p & 0xff) / 255f);
                }
            }
        }
        java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(5, 2,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 5; x++) {
            grey.getRaster().setSample(x, 1, 0, 50 * x + 3);
        }
        ImageDecoder.PixelSource src = ImageDecoder.pixels(grey);
        float[] row = new float[5];
        src.row(1, 0, 5, row);
        assertThat(src.channels()).isOne();
        assertThat(row).containsExactly(3 / 255f, 53 / 255f, 103 / 255f, 153 / 255f, 203 / 255f);
    }

    private static int rgbOf(int r) {
        return r << 16 | (r + 1) << 8 | (r + 2);
    }

    private static float[] run(ImageDecoder.PixelSource src, Preprocessing spec, ImageShape shape) {
        float[] out = new float[shape.size()];
        new Preprocessor(spec, shape).apply(src, out, 0);
        return out;
    }

    private static ImageDecoder.PixelSource grey(int w, int h, int... values) {
        byte[] b = new byte[w * h];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return ImageDecoder.grey8(b, w, h);
    }

    private static ImageDecoder.PixelSource rgb(int w, int h, int[][] pixels) {
        return new ImageDecoder.PixelSource() {
            public int width() {
                return w;
            }

            public int height() {
                return h;
            }

            public int channels() {
                return 3;
            }

            public void row(int y, int x0, int x1, float[] dst) {
                for (int x = x0; x < x1; x++) {
                    for (int c = 0; c < 3; c++) {
                        dst[c * w + x] = pixels[y * w + x][c] / 255f;
                    }
                }
            }
        };
    }

    private static void assertPixels(float[] out, float scale, float... expected) {
        assertThat(out).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(out[i]).as("pixel %d", i).isCloseTo(expected[i] / scale, within(EPS));
        }
    }
}
