package io.shears.data;

/**
 * Applies a {@link Preprocessing} to one decoded image and writes the result, CHW, into a batch array. Only the
 * pixels inside the crop window are computed: the resize is separable (rows first, then columns of the kept rows), only
 * the source rows and columns that the window's kernels touch are read, and an axis that is not resized is copied.
 * Holds scratch buffers, so one instance serves one thread.
 */
final class Preprocessor {
    private final Preprocessing spec;
    private final ImageShape shape;
    private float[] tmp = new float[0];
    private float[] row = new float[0];
    private float[] luma = new float[0];
    private float[] acc = new float[0];

    Preprocessor(Preprocessing spec, ImageShape shape) {
        this.spec = spec;
        this.shape = shape;
    }

    /** Preprocesses {@code src} into {@code dst[offset .. offset + shape.size())}. */
    void apply(ImageDecoder.PixelSource src, float[] dst, int offset) {
        int w = src.width();
        ImageDecoder.Sampling sampling = src.sampling();
        if (sampling.sampled(src.fullWidth()) != w || sampling.sampled(src.fullHeight()) != src.height()) {
            throw new IllegalStateException("decoded " + w + "x" + src.height() + " is not " + sampling + " of "
                    + src.fullWidth() + "x" + src.fullHeight());
        }
        int outC = shape.channels();
        int inC = src.channels();
        boolean toLuma = outC == 1 && inC == 3;
        int workC = toLuma ? 1 : inC;
        if (workC != 1 && workC != outC) {
            throw new IllegalStateException("cannot make " + outC + " channels from " + inC);
        }
        int[] resized = spec.resizedSize(src.fullHeight(), src.fullWidth());
        int oh = shape.height();
        int ow = shape.width();
        if (!spec.hasCrop() && (resized[0] != oh || resized[1] != ow)) {
            throw new IllegalStateException("image of " + resized[0] + "x" + resized[1] + " in a dataset of " + shape);
        }
        Axis rows = Axis.of(src.fullHeight(), sampling, resized[0], oh);
        Axis cols = Axis.of(src.fullWidth(), sampling, resized[1], ow);

        // horizontal pass over the source rows (and columns) the kernels need: tmp[c][y - lo][j]
        int lo = rows.lowestInput();
        int needed = Math.max(0, rows.highestInput() - lo);
        int x0 = cols.lowestInput();
        int x1 = cols.highestInput();
        tmp = grow(tmp, workC * needed * ow);
        row = grow(row, inC * w);
        float[] work = row;
        if (toLuma) {
            luma = grow(luma, w);
            work = luma;
        }
        for (int y = lo; y < lo + needed; y++) {
            src.row(y, x0, x1, row);
            if (toLuma) {
                for (int x = x0; x < x1; x++) {
                    luma[x] = 0.299f * row[x] + 0.587f * row[w + x] + 0.114f * row[2 * w + x];
                }
            }
            for (int c = 0; c < workC; c++) {
                cols.resample(work, c * w, tmp, (c * needed + (y - lo)) * ow);
            }
        }

        // vertical pass, row by row over contiguous rows of tmp; then normalisation and replication
        acc = grow(acc, ow);
        int plane = oh * ow;
        for (int wc = 0; wc < workC; wc++) {
            int channelBase = wc * needed * ow;
            for (int i = 0; i < oh; i++) {
                java.util.Arrays.fill(acc, 0, ow, 0f);
                int n = rows.count[i];
                int k0 = i * rows.taps;
                for (int t = 0; t < n; t++) {
                    float weight = rows.weights[k0 + t];
                    int from = channelBase + (rows.start[i] + t - lo) * ow;
                    for (int j = 0; j < ow; j++) {
                        acc[j] += weight * tmp[from + j];
                    }
                }
                for (int c = wc; c < (workC == 1 ? outC : wc + 1); c++) {
                    float mean = spec.mean(c);
                    float std = spec.std(c);
                    int out = offset + c * plane + i * ow;
                    for (int j = 0; j < ow; j++) {
                        dst[out + j] = (acc[j] - mean) / std;
                    }
                }
            }
        }
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }

    /**
     * The resampling of one axis from {@code in} source pixels to the {@code window} output pixels of a crop window of
     * the resized length {@code resized}, with PIL's bilinear coefficients (see {@link Preprocessing}). Output
     * {@code j} is {@code sum_t weights[j * taps + t] * src[start[j] + t]} for {@code t < count[j]}; a padded output
     * has count 0 (value 0).
     */
    static final class Axis {
        final int[] start;
        final int[] count;
        final int taps;
        final float[] weights;
        /** The first input when the axis is a plain copy of consecutive inputs (not resized, not padded), else -1. */
        final int copyFrom;

        private Axis(int[] start, int[] count, int taps, float[] weights, int copyFrom) {
            this.start = start;
            this.count = count;
            this.taps = taps;
            this.weights = weights;
            this.copyFrom = copyFrom;
        }

        /**
         * The resampling of an axis of {@code in} pixels of which only the {@code sampling} ones were decoded. With a
         * subsample, the triangle filter is the same, on the full image's coordinates, evaluated only at the pixels
         * that were decoded (full-image index {@code i * step + offset}, centre {@code + 0.5}) and normalised over
         * them: every output still averages over its whole footprint, from a regular subsample of it instead of every
         * pixel; see {@link Preprocessing} for how the two compare. With every pixel decoded, the arithmetic is
         * exactly the full-resolution filter's.
         */
        static Axis of(int in, ImageDecoder.Sampling sampling, int resized, int window) {
            int first = window > resized ? -((window - resized) / 2) : (int) Math.rint((resized - window) / 2.0);
            int[] start = new int[window];
            int[] count = new int[window];
            int step = sampling.step();
            if (step == 1 && in == resized) {
                boolean padded = first < 0 || first + window > resized;
                for (int j = 0; j < window; j++) {
                    int o = first + j;
                    if (o >= 0 && o < resized) {
                        start[j] = o;
                        count[j] = 1;
                    }
                }
                float[] ones = new float[window];
                java.util.Arrays.fill(ones, 1f);
                return new Axis(start, count, 1, ones, padded ? -1 : first);
            }
            int decoded = sampling.sampled(in);
            int offset = sampling.offset();
            double scale = (double) in / resized;
            double support = Math.max(scale, 1.0);
            int taps = step == 1 ? (int) Math.ceil(support) * 2 + 1 : (int) Math.ceil(2 * support / step) + 2;
            float[] weights = new float[window * taps];
            double[] k = new double[taps];
            for (int j = 0; j < window; j++) {
                int o = first + j;
                if (o < 0 || o >= resized) {
                    continue; // padding: value 0
                }
                double center = (o + 0.5) * scale;
                int min;
                int max;
                if (step == 1) {
                    min = Math.max(0, (int) (center - support + 0.5));
                    max = Math.min(in, (int) (center + support + 0.5));
                } else {
                    // the decoded pixels whose centres lie strictly inside (center - support, center + support)
                    min = Math.max(0, (int) Math.floor((center - support - offset - 0.5) / step) + 1);
                    max = Math.min(decoded, (int) Math.ceil((center + support - offset - 0.5) / step));
                }
                int n = Math.max(0, Math.min(max - min, taps));
                double sum = 0;
                for (int t = 0; t < n; t++) {
                    double x = Math.abs((sampling.position(min + t) - center + 0.5) / support);
                    k[t] = x < 1 ? 1 - x : 0;
                    sum += k[t];
                }
                if (sum == 0 && step > 1) {
                    // no decoded pixel inside the footprint (it shrinks less than the step): take the nearest one
                    min = (int) Math.max(0, Math.min(decoded - 1, Math.round((center - offset - 0.5) / step)));
                    n = 1;
                    k[0] = 1;
                    sum = 1;
                }
                for (int t = 0; t < n; t++) {
                    weights[j * taps + t] = sum != 0 ? (float) (k[t] / sum) : 0f;
                }
                start[j] = min;
                count[j] = n;
            }
            return new Axis(start, count, taps, weights, -1);
        }

        /** Lowest source index any output reads (inclusive). */
        int lowestInput() {
            if (copyFrom >= 0) {
                return copyFrom;
            }
            int lo = Integer.MAX_VALUE;
            for (int j = 0; j < start.length; j++) {
                if (count[j] > 0) {
                    lo = Math.min(lo, start[j]);
                }
            }
            return lo == Integer.MAX_VALUE ? 0 : lo;
        }

        /** Highest source index any output reads, exclusive. */
        int highestInput() {
            if (copyFrom >= 0) {
                return copyFrom + start.length;
            }
            int hi = 0;
            for (int j = 0; j < start.length; j++) {
                if (count[j] > 0) {
                    hi = Math.max(hi, start[j] + count[j]);
                }
            }
            return hi;
        }

        /** Resamples {@code src[srcBase + i]} into {@code dst[dstBase + j]} for every output {@code j}. */
        void resample(float[] src, int srcBase, float[] dst, int dstBase) {
            int window = start.length;
            if (copyFrom >= 0) {
                System.arraycopy(src, srcBase + copyFrom, dst, dstBase, window);
                return;
            }
            for (int j = 0; j < window; j++) {
                int s = srcBase + start[j];
                int k = j * taps;
                float v = 0;
                for (int t = 0, n = count[j]; t < n; t++) {
                    v += weights[k + t] * src[s + t];
                }
                dst[dstBase + j] = v;
            }
        }
    }
}
