package io.shears.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Decodes PNG and JPEG bytes with {@code javax.imageio}, told by content, not by file name (a JPEG named
 * {@code .png} decodes). The declared width and height are read from the header first and checked against the limits
 * before a pixel is decoded, so a small file that declares a gigapixel image costs nothing. A file that does not
 * decode, or whose data ends early (a truncated JPEG, which {@code ImageIO} reads with a "premature end" warning and
 * fills with grey), is {@link Corrupt}; other decoder warnings (a missing end marker after complete data, extraneous
 * bytes, a bad ICC profile) are let pass, as PIL lets them pass. Other formats ImageIO knows (GIF, BMP, TIFF) are
 * refused as corrupt, so that the dataset means the same to every reader. CMYK JPEGs do not decode in ImageIO and
 * count as corrupt.
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

    /** A decoded image as rows of floats in [0, 1], 1 (grey) or 3 (RGB) channels. */
    interface PixelSource {
        int width();

        int height();

        /** 1 for grey, 3 for RGB. */
        int channels();

        /**
         * Columns {@code x0 <= x < x1} of row {@code y}, planar: {@code dst[c * width + x]}, values in [0, 1]; the
         * other entries of {@code dst} are left as they are.
         */
        void row(int y, int x0, int x1, float[] dst);
    }

    static BufferedImage decode(byte[] bytes, int length, String path, DatasetLimits limits) throws Corrupt {
        try (ImageInputStream iis = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes, 0, length))) {
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
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new Corrupt("data ends early: " + warnings.get(0));
                }
                return image;
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
        ColorModel cm = image.getColorModel();
        int w = image.getWidth();
        int h = image.getHeight();
        boolean grey = isGrey(image);
        PixelSource direct = interleavedBytes(image, grey);
        if (direct != null) {
            return direct;
        }
        if (grey && !(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // read the samples themselves: getRGB would convert linear grey to sRGB and change the values
            Raster raster = image.getRaster();
            float max = (1 << cm.getComponentSize(0)) - 1;
            int[] samples = new int[w];
            return new Source(w, h, 1) {
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
        return new Source(w, h, grey ? 1 : 3) {
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
    private static PixelSource interleavedBytes(BufferedImage image, boolean grey) {
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
        return new Source(w, image.getHeight(), colours) {
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

        Source(int width, int height, int channels) {
            this.width = width;
            this.height = height;
            this.channels = channels;
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
