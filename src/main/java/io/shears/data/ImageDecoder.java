package io.shears.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.IntBinaryOperator;

/**
 * Decodes PNG and JPEG bytes with {@code javax.imageio}, told by content, not by file name (a JPEG named
 * {@code .png} decodes). The declared width and height are read from the header first and checked against the limits
 * before a pixel is decoded, so a small file that declares a gigapixel image costs nothing; then only the pixels the
 * caller needs are decoded (a subsample, see {@link Sampling}), so that a large image costs the raster of the size it
 * is used at, not of the size it has. A file that does not decode, or whose data ends early (a truncated JPEG, which
 * {@code ImageIO} reads with a "premature end" warning and fills with grey), is {@link Corrupt}; other decoder
 * warnings (a missing end marker after complete data, extraneous bytes, a bad ICC profile) are let pass, as PIL lets
 * them pass. Other formats ImageIO knows (GIF, BMP, TIFF) are refused as corrupt, so that the dataset means the same
 * to every reader. CMYK JPEGs do not decode in ImageIO and count as corrupt.
 */
final class ImageDecoder {
    private ImageDecoder() {
    }

    /** An image that does not decode; the dataset counts and skips it. */
    static final class Corrupt extends Exception {
        Corrupt(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Which pixels are decoded: every {@code step}-th pixel of every {@code step}-th row, starting at {@code offset}
     * in both axes ({@code ImageReadParam.setSourceSubsampling}). The offset puts a pixel near the middle of each
     * {@code step × step} block.
     */
    record Sampling(int step, int offset) {
        static final Sampling FULL = new Sampling(1, 0);

        Sampling {
            if (step < 1 || offset < 0 || offset >= step) {
                throw new IllegalArgumentException("sampling step " + step + ", offset " + offset);
            }
        }

        static Sampling every(int step) {
            return step <= 1 ? FULL : new Sampling(step, (step - 1) / 2);
        }

        /** How many pixels of an axis of {@code full} pixels are decoded. */
        int sampled(int full) {
            return (full - offset + step - 1) / step;
        }

        /** The full-image index of decoded pixel {@code i}. */
        long position(int i) {
            return (long) i * step + offset;
        }
    }

    /**
     * An image decoded by {@link #decode}: its pixels as decoded (every pixel, or a subsample of them) and the size the
     * image declares.
     */
    record Decoded(BufferedImage image, int fullWidth, int fullHeight, Sampling sampling) {
    }

    /**
     * Pixels decoded at most this many per image when a dataset is checked at upload: the check needs the declared
     * size, the colour model and proof that all of the data decodes, never the full raster, so a 100-megapixel image
     * costs a few megabytes of heap, not 300.
     */
    static final long CHECK_PIXELS = 1L << 20;
    private static final String JPEG_METADATA = "javax_imageio_jpeg_image_1.0";

    /** A decoded image as rows of floats in [0, 1], 1 (grey) or 3 (RGB) channels. */
    interface PixelSource {
        /** Columns as decoded; a subsampled image has fewer than {@link #fullWidth()}. */
        int width();

        /** Rows as decoded. */
        int height();

        /** Columns of the image as it declares itself. */
        default int fullWidth() {
            return width();
        }

        /** Rows of the image as it declares itself. */
        default int fullHeight() {
            return height();
        }

        /** Which pixels of the full image {@link #row} gives. */
        default Sampling sampling() {
            return Sampling.FULL;
        }

        /** 1 for grey, 3 for RGB. */
        int channels();

        /**
         * Columns {@code x0 <= x < x1} of row {@code y}, planar: {@code dst[c * width + x]}, values in [0, 1]; the
         * other entries of {@code dst} are left as they are.
         */
        void row(int y, int x0, int x1, float[] dst);
    }

    /**
     * Decodes at most about {@link #CHECK_PIXELS} pixels, subsampled evenly; the reader still goes through all of
     * the image's data, so a file that does not decode to its end is {@link Corrupt} as with a full decode.
     */
    static Decoded check(byte[] bytes, int length, String path, DatasetLimits limits) throws Corrupt {
        return decode(bytes, length, path, limits, ImageDecoder::checkStep);
    }

    /** The sampling step that leaves at most about {@link #CHECK_PIXELS} of a {@code width × height} image. */
    static int checkStep(int width, int height) {
        double pixels = (double) width * height;
        return pixels <= CHECK_PIXELS ? 1 : (int) Math.ceil(Math.sqrt(pixels / CHECK_PIXELS));
    }

    /**
     * Reads the declared size from the header, checks it against the limits, then decodes only every
     * {@code step.applyAsInt(width, height)}-th pixel of every such row, so that no raster larger than that
     * subsample is ever allocated.
     */
    static Decoded decode(byte[] bytes, int length, String path, DatasetLimits limits, IntBinaryOperator step)
            throws Corrupt {
        try (ImageInputStream iis = new ByteArrayImageInputStream(bytes, length)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new Corrupt(length == 0 ? "empty file" : "not a PNG or JPEG image");
            }
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!format.equals("png") && !format.equals("jpeg")) {
                    throw new Corrupt("a " + format.toUpperCase(Locale.ROOT) + " image; only PNG and JPEG are read");
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> {
                    if (warning != null && warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                        warnings.add(warning);
                    }
                });
                reader.setInput(iis, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkSize(path, width, height, limits);
                if (format.equals("jpeg")) {
                    checkProgressive(reader, path, width, height, limits);
                }
                Sampling sampling = Sampling.every(Math.min(step.applyAsInt(width, height), Math.min(width, height)));
                ImageReadParam param = reader.getDefaultReadParam();
                if (sampling.step() > 1) {
                    param.setSourceSubsampling(sampling.step(), sampling.step(), sampling.offset(), sampling.offset());
                }
                BufferedImage image = reader.read(0, param);
                if (!warnings.isEmpty()) {
                    throw new Corrupt("data ends early: " + warnings.get(0));
                }
                return new Decoded(image, width, height, sampling);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException d) {
                throw d;
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new Corrupt("does not decode: " + message);
        }
    }

    /** Refuses a declared size past the limits, before decoding. */
    static void checkSize(String path, long width, long height, DatasetLimits limits) throws Corrupt {
        if (width <= 0 || height <= 0) {
            throw new Corrupt("declares a size of " + width + "x" + height);
        }
        if (width > limits.maxImageSide() || height > limits.maxImageSide()
                || width * height > limits.maxImagePixels()) {
            throw new DatasetException(DatasetProblem.DATASET_IMAGE_TOO_LARGE, "image '" + path + "' declares "
                    + width + "x" + height + " pixels; the limits are " + limits.maxImageSide() + " a side and "
                    + limits.maxImagePixels() + " in all");
        }
    }

    /**
     * Refuses a progressive JPEG past {@link DatasetLimits#maxProgressiveJpegPixels()}, before decoding: ImageIO's
     * decoder buffers every DCT coefficient of such an image (about 3 bytes a pixel with the usual 4:2:0 chroma, 6
     * without; 330 MB for 100 megapixels, measured), however small a subsample is asked for. The header says which
     * kind it is (the SOF marker's process: 2 for progressive).
     */
    private static void checkProgressive(ImageReader reader, String path, long width, long height,
                                         DatasetLimits limits) throws IOException {
        if (width * height <= limits.maxProgressiveJpegPixels()) {
            return;
        }
        IIOMetadata metadata = reader.getImageMetadata(0);
        Node root = metadata.getAsTree(JPEG_METADATA);
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!n.getNodeName().equals("markerSequence")) {
                continue;
            }
            for (Node m = n.getFirstChild(); m != null; m = m.getNextSibling()) {
                Node process = m.getNodeName().equals("sof") ? m.getAttributes().getNamedItem("process") : null;
                if (process != null && process.getNodeValue().equals("2")) {
                    throw new DatasetException(DatasetProblem.DATASET_IMAGE_TOO_LARGE, "image '" + path + "' is a "
                            + "progressive JPEG of " + width + "x" + height + " pixels; a progressive JPEG is decoded "
                            + "whole whatever size it is used at, so the limit for these is "
                            + limits.maxProgressiveJpegPixels() + " pixels (save it as a baseline JPEG or a PNG)");
                }
            }
        }
    }

    /** Whether an image is grey: one colour component, or a palette whose entries are all grey. */
    static boolean isGrey(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        if (cm instanceof IndexColorModel icm) {
            for (int i = 0; i < icm.getMapSize(); i++) {
                if (icm.getRed(i) != icm.getGreen(i) || icm.getRed(i) != icm.getBlue(i)) {
                    return false;
                }
            }
            return true;
        }
        return cm.getNumColorComponents() == 1;
    }

    static PixelSource pixels(BufferedImage image) {
        return pixels(new Decoded(image, image.getWidth(), image.getHeight(), Sampling.FULL));
    }

    static PixelSource pixels(Decoded decoded) {
        BufferedImage image = decoded.image();
        ColorModel cm = image.getColorModel();
        int w = image.getWidth();
        int h = image.getHeight();
        boolean grey = isGrey(image);
        PixelSource direct = interleavedBytes(decoded, grey);
        if (direct != null) {
            return direct;
        }
        if (grey && !(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // read the samples themselves: getRGB would convert linear grey to sRGB and change the values
            Raster raster = image.getRaster();
            float max = (1 << cm.getComponentSize(0)) - 1;
            int[] samples = new int[w];
            return new Source(decoded, 1) {
                @Override
                public void row(int y, int x0, int x1, float[] dst) {
                    raster.getSamples(x0, y, x1 - x0, 1, 0, samples);
                    for (int x = x0; x < x1; x++) {
                        dst[x] = samples[x - x0] / max;
                    }
                }
            };
        }
        int[] argb = new int[w];
        return new Source(decoded, grey ? 1 : 3) {
            @Override
            public void row(int y, int x0, int x1, float[] dst) {
                image.getRGB(x0, y, x1 - x0, 1, argb, 0, w);
                if (grey) {
                    for (int x = x0; x < x1; x++) {
                        dst[x] = ((argb[x - x0] >> 16) & 0xff) / 255f;
                    }
                    return;
                }
                for (int x = x0; x < x1; x++) {
                    int p = argb[x - x0];
                    dst[x] = ((p >> 16) & 0xff) / 255f;
                    dst[w + x] = ((p >> 8) & 0xff) / 255f;
                    dst[2 * w + x] = (p & 0xff) / 255f;
                }
            }
        };
    }

    /**
     * The common case read straight from the pixel array: 8-bit samples interleaved in bytes (what the JPEG and PNG
     * readers produce for grey, RGB and RGBA), sRGB or grey. {@code getRGB} would give the same values, slower than
     * decoding. Returns null for anything else.
     */
    private static PixelSource interleavedBytes(Decoded decoded, boolean grey) {
        BufferedImage image = decoded.image();
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (!(cm instanceof ComponentColorModel) || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
                || buffer.getNumBanks() != 1) {
            return null;
        }
        int colours = cm.getNumColorComponents();
        boolean srgb = cm.getColorSpace().isCS_sRGB();
        if (!(grey && colours == 1 || !grey && colours == 3 && srgb)) {
            return null;
        }
        for (int c = 0; c < colours; c++) {
            if (cm.getComponentSize(c) != 8) {
                return null;
            }
        }
        byte[] data = buffer.getData();
        int base = buffer.getOffset();
        int pixelStride = sm.getPixelStride();
        int scanline = sm.getScanlineStride();
        int[] offsets = sm.getBandOffsets();
        int w = image.getWidth();
        return new Source(decoded, colours) {
            @Override
            public void row(int y, int x0, int x1, float[] dst) {
                int start = base + y * scanline + x0 * pixelStride;
                for (int c = 0; c < colours; c++) {
                    int p = start + offsets[c];
                    int out = c * w;
                    for (int x = x0; x < x1; x++, p += pixelStride) {
                        dst[out + x] = (data[p] & 0xff) / 255f;
                    }
                }
            }
        };
    }

    /** Grey 8-bit pixels, row-major, as IDX files store them. */
    static PixelSource grey8(byte[] pixels, int width, int height) {
        return new Source(width, height, 1) {
            @Override
            public void row(int y, int x0, int x1, float[] dst) {
                int base = y * width;
                for (int x = x0; x < x1; x++) {
                    dst[x] = (pixels[base + x] & 0xff) / 255f;
                }
            }
        };
    }

    private abstract static class Source implements PixelSource {
        private final int width;
        private final int height;
        private final int channels;
        private final int fullWidth;
        private final int fullHeight;
        private final Sampling sampling;

        Source(int width, int height, int channels) {
            this.width = width;
            this.height = height;
            this.channels = channels;
            this.fullWidth = width;
            this.fullHeight = height;
            this.sampling = Sampling.FULL;
        }

        Source(Decoded decoded, int channels) {
            this.width = decoded.image().getWidth();
            this.height = decoded.image().getHeight();
            this.channels = channels;
            this.fullWidth = decoded.fullWidth();
            this.fullHeight = decoded.fullHeight();
            this.sampling = decoded.sampling();
        }

        @Override
        public int fullWidth() {
            return fullWidth;
        }

        @Override
        public int fullHeight() {
            return fullHeight;
        }

        @Override
        public Sampling sampling() {
            return sampling;
        }

        @Override
        public int width() {
            return width;
        }

        @Override
        public int height() {
            return height;
        }

        @Override
        public int channels() {
            return channels;
        }
    }
}
