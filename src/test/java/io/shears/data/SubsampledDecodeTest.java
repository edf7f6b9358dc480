package io.shears.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Large images are decoded at the size they are used at: a subsample at upload, what the resize needs in a job. */
class SubsampledDecodeTest {
    private static final int WIDE = 16384;
    private static final int TALL = 6100;
    /** Blocks of 512 pixels: compresses to a few hundred kilobytes at 100 megapixels, like the images of the report. */
    private static final IntBinaryOperator BLOCKS = (x, y) -> ((x >> 9) * 8) << 16 | ((y >> 9) * 20) << 8 | 0x40;

    @TempDir
    Path dir;

    @Test
    void aHundredMegapixelImageIsCheckedFromAMegapixelSubsample() throws Exception {
        byte[] big = Fixtures.streamedRgbPng(WIDE, TALL, BLOCKS);

        ImageDecoder.Decoded d = ImageDecoder.check(big, big.length, "big.png", DatasetLimits.defaults());

        assertThat(d.fullWidth()).isEqualTo(WIDE);
        assertThat(d.fullHeight()).isEqualTo(TALL);
        assertThat(d.sampling()).isEqualTo(new ImageDecoder.Sampling(10, 4));
        assertThat(d.image().getWidth()).isEqualTo(1638);
        assertThat(d.image().getHeight()).isEqualTo(610);
        assertThat((long) d.image().getWidth() * d.image().getHeight()).isLessThanOrEqualTo(ImageDecoder.CHECK_PIXELS);
        // the decoded pixel (i, j) is the full image's (10 i + 4, 10 j + 4)
        assertThat(d.image().getRGB(100, 60) & 0xffffff).isEqualTo(BLOCKS.applyAsInt(1004, 604));
        assertThat(ImageDecoder.isGrey(d.image())).isFalse();
    }

    @Test
    void aDatasetOfHundredMegapixelImagesOpensAndItsBatchesDecodeOnlyWhatTheResizeNeeds() throws Exception {
        byte[] big = Fixtures.streamedRgbPng(WIDE, TALL, BLOCKS);
        Path zip = Fixtures.zip(dir.resolve("big.zip"), Fixtures.entries("train/a/1.png", big, "train/b/2.png", big));
        Preprocessing imagenet = Preprocessing.imagenet(224);

        try (Dataset d = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0).withPreprocessing(imagenet))) {
            Batch batch = d.batch(Split.TRAIN, new int[] {0, 1});
            assertThat(d.imageShape()).isEqualTo(new ImageShape(3, 224, 224));
            assertThat(batch.data()).doesNotContain(Float.NaN);
        }

        // resized to 687 x 256: decoding every fifth pixel still leaves four per resized pixel
        assertThat(imagenet.decodeStep(TALL, WIDE)).isEqualTo(5);
        ImageDecoder.Decoded used = ImageDecoder.decode(big, big.length, "big.png", DatasetLimits.defaults(),
                (w, h) -> imagenet.decodeStep(h, w));
        assertThat(used.image().getWidth()).isEqualTo(3277);
        assertThat(used.image().getHeight()).isEqualTo(1220);
    }

    @Test
    void anImageTheResizeDoesNotShrinkFourfoldIsDecodedWhole() throws Exception {
        byte[] png = Fixtures.rgbPng(900, 700, (x, y) -> (x * 31 + y * 7) & 0xffffff);
        Preprocessing spec = Preprocessing.identity().withResize(200).withCrop(160, 160);

        assertThat(spec.decodeStep(700, 900)).isEqualTo(1);
        assertThat(Preprocessing.identity().decodeStep(TALL, WIDE)).isEqualTo(1);
        float[] viaDecoder = preprocess(ImageDecoder.pixels(ImageDecoder.decode(png, png.length, "p.png",
                DatasetLimits.defaults(), (w, h) -> spec.decodeStep(h, w))), spec);
        float[] viaImageIo = preprocess(ImageDecoder.pixels(ImageIO.read(new ByteArrayInputStream(png))), spec);

        assertThat(viaDecoder).containsExactly(viaImageIo);
    }

    @Test
    void subsampledDecodingAgreesWithFullDecodingOnSmoothContent() throws Exception {
        // a photo-like image: smooth gradients and shading over tens of pixels
        byte[] png = Fixtures.rgbPng(2400, 1800, (x, y) -> {
            int r = (int) (127 + 120 * Math.sin(x / 90.0) * Math.cos(y / 70.0));
            int g = (x * 255) / 2400;
            int b = (int) (127 + 100 * Math.sin((x + y) / 130.0));
            return r << 16 | g << 8 | b;
        });
        Preprocessing spec = Preprocessing.identity().withResize(64).withCrop(64, 64);
        assertThat(spec.decodeStep(1800, 2400)).isEqualTo(7);

        float[] subsampled = preprocess(ImageDecoder.pixels(ImageDecoder.decode(png, png.length, "p.png",
                DatasetLimits.defaults(), (w, h) -> spec.decodeStep(h, w))), spec);
        float[] full = preprocess(ImageDecoder.pixels(ImageIO.read(new ByteArrayInputStream(png))), spec);

        assertThat(maxDifference(subsampled, full)).isLessThan(0.01f);
    }

    @Test
    void aTruncatedImageIsCorruptWhenCheckedSubsampledToo() {
        java.util.Random random = new java.util.Random(3);
        int[] noise = random.ints(4096).toArray();
        byte[] png = Fixtures.streamedRgbPng(2000, 1500, (x, y) -> noise[(x * 7 + y * 13) & 4095]);
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        assertThat(ImageDecoder.checkStep(2000, 1500)).isEqualTo(2);

        assertThatThrownBy(() -> ImageDecoder.check(cut, cut.length, "cut.png", DatasetLimits.defaults()))
                .isInstanceOf(ImageDecoder.Corrupt.class);
    }

    @Test
    void aProgressiveJpegPastItsLimitIsRefusedBeforeDecoding() throws Exception {
        IntBinaryOperator colours = (x, y) -> (x * 5) << 16 | (y * 3) << 8 | 0x80;
        byte[] progressive = Fixtures.progressiveJpeg(400, 300, colours);
        byte[] baseline = Fixtures.rgbJpeg(400, 300, colours);
        DatasetLimits tight = DatasetLimits.defaults().withMaxProgressiveJpegPixels(119_999);
        DatasetLimits enough = DatasetLimits.defaults().withMaxProgressiveJpegPixels(120_000);

        DatasetErrorsTest.assertRefused(() -> ImageDecoder.check(progressive, progressive.length, "p.jpg", tight),
                DatasetProblem.DATASET_IMAGE_TOO_LARGE, "'p.jpg'", "progressive JPEG of 400x300", "119999");
        assertThat(ImageDecoder.check(baseline, baseline.length, "b.jpg", tight).fullWidth()).isEqualTo(400);
        assertThat(ImageDecoder.check(progressive, progressive.length, "p.jpg", enough).fullWidth()).isEqualTo(400);
        assertThat(DatasetLimits.defaults().maxProgressiveJpegPixels()).isEqualTo(32_000_000L);
    }

    private static float[] preprocess(ImageDecoder.PixelSource src, Preprocessing spec) {
        ImageShape shape = new ImageShape(3, spec.cropHeight(), spec.cropWidth());
        float[] out = new float[shape.size()];
        new Preprocessor(spec, shape).apply(src, out, 0);
        return out;
    }

    private static float maxDifference(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
