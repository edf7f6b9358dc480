package io.shears.data;

import java.util.Arrays;

/**
 * How a decoded image becomes the floats of a batch. The steps, in order (all linear up to the normalisation, so the
 * implementation is free to reorder the first three; it converts channels down before resizing and replicates after):
 *
 * <ol>
 *   <li><b>Scale to [0, 1].</b> An 8-bit sample {@code v} becomes {@code v / 255}; a 16-bit grey sample
 *       {@code v / 65535}. Colour images are read as 8-bit sRGB (a palette is looked up first); alpha is dropped, not
 *       composited, as PIL's {@code convert("RGB")} does.</li>
 *   <li><b>Channels</b> ({@link Channels}). {@code RGB}: a grey image is replicated, {@code R = G = B = grey}.
 *       {@code GREY}: a colour image becomes its luma {@code L = 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, as PIL's
 *       {@code convert("L")}). {@code KEEP}: 3 channels when any image of the dataset is in colour, else 1; a grey
 *       image in a colour dataset is replicated. A palette whose entries are all grey counts as grey.</li>
 *   <li><b>Resize</b> ({@code resizeShorter = N > 0}). The shorter side becomes {@code N} and the longer one
 *       {@code floor(N * long / short)} (torchvision's {@code Resize(N)}). Resampling is PIL's bilinear (triangle)
 *       filter, separable, rows first: output pixel {@code i} of an axis resized from {@code in} to {@code out} has
 *       centre {@code c = (i + 0.5) * s} with {@code s = in / out}; with {@code f = max(s, 1)} it takes input pixels
 *       {@code j} in {@code [trunc(c - f + 0.5), trunc(c + f + 0.5))} clipped to {@code [0, in)}, with weights
 *       {@code max(0, 1 - |(j + 0.5 - c) / f|)} divided by their sum. Enlarging ({@code f = 1}) this is plain bilinear
 *       interpolation with half-pixel centres and clamped edges; shrinking, it averages over the footprint
 *       (antialiased), as PIL and torchvision do. Unlike PIL, nothing is rounded to 8 bits between the passes.
 *       <p><b>Decoding subsampled.</b> When the resize shrinks both axes at least eightfold (for example a
 *       16384 × 6100 photo to a shorter side of 256), the image is not decoded whole: only every {@code s}-th pixel of
 *       every {@code s}-th row is, with {@code s = min(floor(h / (4 × rh)), floor(w / (4 × rw)))} for a resized size
 *       {@code rh × rw} (at least four decoded pixels per output pixel per axis), starting at {@code (s - 1) / 2}.
 *       The filter above is then evaluated, in the full image's coordinates, at the decoded pixels only and
 *       normalised over them. Compared with decoding every pixel and resizing: with {@code s = 1} (every image the
 *       resize shrinks less) the result is the same to the bit; otherwise each output averages a regular sample of
 *       its footprint instead of all of it. On smooth content (photos; shading over tens of pixels) the two agree
 *       within 0.002 (values in [0, 1]); on detail finer than {@code s} pixels they differ as a sample's mean differs
 *       from the whole's, measured on 2400 × 1800 images resized to 64 and 112 ({@code s} = 7 and 4): 32-pixel
 *       checkerboard at most 0.10 (mean 0.03), per-pixel noise at most 0.19 (mean 0.04). The trade buys memory: the
 *       raster decoded is {@code s²} times smaller (a 100-megapixel image takes 12 MB instead of 300).</li>
 *   <li><b>Centre crop</b> ({@code cropHeight × cropWidth}, both 0 for none). From an {@code h × w} image the window
 *       starts at {@code top = rint((h - cropHeight) / 2)}, {@code left = rint((w - cropWidth) / 2)} (round half to
 *       even, like torchvision's {@code CenterCrop}). A crop larger than the image pads with zeros (value 0 before
 *       normalisation), {@code floor((cropHeight - h) / 2)} rows above, the rest below (same for columns), as
 *       torchvision does. Without a crop, every image must have the same size after resizing.</li>
 *   <li><b>Normalise</b> per channel: {@code y = (x - mean[c]) / std[c]}. {@code mean} and {@code std} have one entry
 *       (used for every channel) or one per output channel.</li>
 *   <li><b>Layout</b> NCHW, see {@link Batch}.</li>
 * </ol>
 *
 * @param resizeShorter target length of the shorter side, 0 for no resize
 * @param cropHeight    centre-crop height, 0 (with cropWidth 0) for no crop
 * @param cropWidth     centre-crop width, 0 (with cropHeight 0) for no crop
 * @param channels      channel handling
 * @param mean          per-channel mean subtracted after scaling to [0, 1]
 * @param std           per-channel standard deviation divided by, all positive
 */
public record Preprocessing(int resizeShorter, int cropHeight, int cropWidth, Channels channels, float[] mean,
                            float[] std) {

    /** Channel handling; see the class comment. */
    public enum Channels {
        /** As the dataset is: 3 if any image is in colour, else 1. */
        KEEP,
        /** 1 channel: colour images become their luma. */
        GREY,
        /** 3 channels: grey images are replicated. */
        RGB
    }

    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    /** Decoded pixels per resized pixel (per axis) that a subsampled decode keeps at least; see the class comment. */
    static final int DECODE_OVERSAMPLING = 4;
    /** Largest resize or crop side accepted. */
    public static final int MAX_SIDE = 16384;

    public Preprocessing {
        if (channels == null) {
            throw invalid("channels must be given");
        }
        if (resizeShorter < 0 || resizeShorter > MAX_SIDE) {
            throw invalid("resizeShorter must be 0 (none) or 1.." + MAX_SIDE + ", is " + resizeShorter);
        }
        if (cropHeight < 0 || cropWidth < 0 || cropHeight > MAX_SIDE || cropWidth > MAX_SIDE
                || (cropHeight == 0) != (cropWidth == 0)) {
            throw invalid("crop must be 0x0 (none) or both sides in 1.." + MAX_SIDE + ", is " + cropHeight + "x"
                    + cropWidth);
        }
        if (mean == null || std == null || mean.length == 0 || std.length == 0) {
            throw invalid("mean and std must have at least one entry");
        }
        mean = mean.clone();
        std = std.clone();
        for (float m : mean) {
            if (!Float.isFinite(m)) {
                throw invalid("mean must be finite, is " + Arrays.toString(mean));
            }
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw invalid("std must be positive and finite, is " + Arrays.toString(std));
            }
        }
        if (channels != Channels.KEEP) {
            checkLengths(channels == Channels.RGB ? 3 : 1, mean, std);
        }
    }

    /** No resize, no crop, channels as they are, values in [0, 1]. */
    public static Preprocessing identity() {
        return new Preprocessing(0, 0, 0, Channels.KEEP, new float[] {0f}, new float[] {1f});
    }

    /**
     * The ImageNet evaluation transform of torchvision for a {@code size × size} input: resize the shorter side to
     * {@code round(size / 0.875)} (256 for 224), centre-crop, RGB, ImageNet mean and std.
     */
    public static Preprocessing imagenet(int size) {
        return new Preprocessing((int) Math.round(size / 0.875), size, size, Channels.RGB, IMAGENET_MEAN, IMAGENET_STD);
    }

    public Preprocessing withResize(int shorterSide) {
        return new Preprocessing(shorterSide, cropHeight, cropWidth, channels, mean, std);
    }

    public Preprocessing withCrop(int height, int width) {
        return new Preprocessing(resizeShorter, height, width, channels, mean, std);
    }

    /** Changes the channel handling; mean and std must suit it (1 entry, or 1 per output channel). */
    public Preprocessing withChannels(Channels target) {
        return new Preprocessing(resizeShorter, cropHeight, cropWidth, target, mean, std);
    }

    public Preprocessing withNormalisation(float[] mean, float[] std) {
        return new Preprocessing(resizeShorter, cropHeight, cropWidth, channels, mean, std);
    }

    public boolean hasCrop() {
        return cropHeight > 0;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Mean of output channel {@code c}. */
    public float mean(int c) {
        return mean.length == 1 ? mean[0] : mean[c];
    }

    /** Std of output channel {@code c}. */
    public float std(int c) {
        return std.length == 1 ? std[0] : std[c];
    }

    /** Checks that mean and std suit {@code outputChannels}; the dataset calls it once KEEP is resolved. */
    void checkChannels(int outputChannels) {
        checkLengths(outputChannels, mean, std);
    }

    /**
     * The subsampling step an {@code h × w} image may be decoded at (see the class comment): the largest that still
     * leaves {@link #DECODE_OVERSAMPLING} decoded pixels per resized pixel on both axes; 1, every pixel, without a
     * resize or when the resize shrinks less than that.
     */
    int decodeStep(int h, int w) {
        if (resizeShorter == 0) {
            return 1;
        }
        int[] resized = resizedSize(h, w);
        return Math.max(1, Math.min(h / (DECODE_OVERSAMPLING * resized[0]), w / (DECODE_OVERSAMPLING * resized[1])));
    }

    /** Size {@code [height, width]} of an {@code h × w} image after the resize step alone. */
    int[] resizedSize(int h, int w) {
        if (resizeShorter == 0) {
            return new int[] {h, w};
        }
        if (w <= h) {
            return new int[] {(int) (resizeShorter * (double) h / w), resizeShorter};
        }
        return new int[] {resizeShorter, (int) (resizeShorter * (double) w / h)};
    }

    private static void checkLengths(int n, float[] mean, float[] std) {
        if (mean.length != 1 && mean.length != n || std.length != 1 && std.length != n) {
            throw invalid("mean and std must have " + (n == 1 ? "1 entry" : "1 or " + n + " entries") + " for "
                    + n + " output channel" + (n == 1 ? "" : "s") + ", have " + mean.length + " and " + std.length);
        }
    }

    private static DatasetException invalid(String message) {
        return new DatasetException(DatasetProblem.DATASET_PREPROCESSING_INVALID, message);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && p.resizeShorter == resizeShorter && p.cropHeight == cropHeight
                && p.cropWidth == cropWidth && p.channels == channels && Arrays.equals(p.mean, mean)
                && Arrays.equals(p.std, std);
    }

    @Override
    public int hashCode() {
        return ((((resizeShorter * 31 + cropHeight) * 31 + cropWidth) * 31 + channels.hashCode()) * 31
                + Arrays.hashCode(mean)) * 31 + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Preprocessing[resizeShorter=" + resizeShorter + ", crop=" + cropHeight + "x" + cropWidth
                + ", channels=" + channels + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
