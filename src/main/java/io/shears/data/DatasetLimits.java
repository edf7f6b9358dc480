package io.shears.data;

/**
 * Bounds on what the dataset reader accepts, so that a hostile or broken upload fails fast instead of filling the
 * disk, the heap or the job's time.
 *
 * @param maxTotalBytes       largest sum of the bytes the archive unpacks to (every entry counts, read or skipped);
 *                            this also bounds the spool file on disk
 * @param maxCompressionRatio largest ratio of unpacked to compressed bytes of one entry (a {@code .gz} inside a zip
 *                            counts its unpacked bytes against the zip entry's compressed bytes)
 * @param ratioGraceBytes     the ratio is enforced once an entry has unpacked past this many bytes, so that small,
 *                            very compressible files (a blank PNG, a short labels file) pass
 * @param maxEntries          largest number of entries (files and folders) in the archive
 * @param maxImageFileBytes   largest single image file
 * @param maxImageSide        largest width or height an image may declare
 * @param maxImagePixels      largest width × height an image may declare
 * @param maxCorruptFraction  corrupt images are skipped while their number is at most
 *                            {@code max(maxCorruptCount, floor(maxCorruptFraction × images))}; past it the dataset
 *                            is refused with {@link DatasetProblem#DATASET_INVALID}
 * @param maxCorruptCount     see {@code maxCorruptFraction}
 * @param maxClasses          largest number of classes; reports, evaluation and the classifier head all grow with it
 *                            (a confusion matrix with its square), so a few bytes per class folder must not buy
 *                            unbounded work
 * @param maxProgressiveJpegPixels largest width × height of a progressive JPEG: ImageIO's decoder holds all of such an
 *                            image's DCT coefficients (3 to 6 bytes a pixel, in native memory) whatever subsample is
 *                            asked for, so these cannot be decoded small the way other images are
 */
public record DatasetLimits(long maxTotalBytes, double maxCompressionRatio, long ratioGraceBytes, int maxEntries,
                            long maxImageFileBytes, int maxImageSide, long maxImagePixels, double maxCorruptFraction,
                            int maxCorruptCount, int maxClasses, long maxProgressiveJpegPixels) {

    public static final int DEFAULT_MAX_CLASSES = 1000;

    public DatasetLimits {
        if (maxTotalBytes <= 0 || maxCompressionRatio < 1 || ratioGraceBytes < 0 || maxEntries <= 0
                || maxImageFileBytes <= 0 || maxImageFileBytes > Integer.MAX_VALUE - 16 || maxImageSide <= 0
                || maxImagePixels <= 0 || !(maxCorruptFraction >= 0 && maxCorruptFraction <= 1)
                || maxCorruptCount < 0 || maxClasses <= 0 || maxProgressiveJpegPixels <= 0) {
            throw new IllegalArgumentException("invalid dataset limits: " + maxTotalBytes + ", " + maxCompressionRatio
                    + ", " + ratioGraceBytes + ", " + maxEntries + ", " + maxImageFileBytes + ", " + maxImageSide
                    + ", " + maxImagePixels + ", " + maxCorruptFraction + ", " + maxCorruptCount + ", " + maxClasses
                    + ", " + maxProgressiveJpegPixels);
        }
    }

    /**
     * 16 GiB unpacked, ratio 100 past 1 MiB, 2 million entries, 64 MiB per image file, 16384 px a side, 100 Mpx, and
     * up to 1% corrupt images (at least 1 tolerated), 1,000 classes, progressive JPEGs up to 32 Mpx (at most
     * about 200 MB of coefficients).
     */
    public static DatasetLimits defaults() {
        return new DatasetLimits(16L << 30, 100, 1L << 20, 2_000_000, 64L << 20, 16384, 100_000_000L, 0.01, 1,
                DEFAULT_MAX_CLASSES, 32_000_000L);
    }

    public DatasetLimits withMaxTotalBytes(long bytes) {
        return new DatasetLimits(bytes, maxCompressionRatio, ratioGraceBytes, maxEntries, maxImageFileBytes,
                maxImageSide, maxImagePixels, maxCorruptFraction, maxCorruptCount, maxClasses,
                maxProgressiveJpegPixels);
    }

    public DatasetLimits withMaxEntries(int entries) {
        return new DatasetLimits(maxTotalBytes, maxCompressionRatio, ratioGraceBytes, entries, maxImageFileBytes,
                maxImageSide, maxImagePixels, maxCorruptFraction, maxCorruptCount, maxClasses,
                maxProgressiveJpegPixels);
    }

    public DatasetLimits withImageLimits(long fileBytes, int side, long pixels) {
        return new DatasetLimits(maxTotalBytes, maxCompressionRatio, ratioGraceBytes, maxEntries, fileBytes, side,
                pixels, maxCorruptFraction, maxCorruptCount, maxClasses, maxProgressiveJpegPixels);
    }

    public DatasetLimits withCorruptTolerance(double fraction, int count) {
        return new DatasetLimits(maxTotalBytes, maxCompressionRatio, ratioGraceBytes, maxEntries, maxImageFileBytes,
                maxImageSide, maxImagePixels, fraction, count, maxClasses, maxProgressiveJpegPixels);
    }

    public DatasetLimits withMaxClasses(int classes) {
        return new DatasetLimits(maxTotalBytes, maxCompressionRatio, ratioGraceBytes, maxEntries, maxImageFileBytes,
                maxImageSide, maxImagePixels, maxCorruptFraction, maxCorruptCount, classes, maxProgressiveJpegPixels);
    }

    public DatasetLimits withMaxProgressiveJpegPixels(long pixels) {
        return new DatasetLimits(maxTotalBytes, maxCompressionRatio, ratioGraceBytes, maxEntries, maxImageFileBytes,
                maxImageSide, maxImagePixels, maxCorruptFraction, maxCorruptCount, maxClasses, pixels);
    }

    /** How many corrupt images a dataset of {@code images} images (corrupt ones included) may skip. */
    public long corruptAllowed(long images) {
        return Math.max(maxCorruptCount, (long) Math.floor(maxCorruptFraction * images));
    }
}
