package io.shears.data;

import java.nio.file.Path;

/**
 * How to open a dataset.
 *
 * @param preprocessing how images become floats
 * @param valFraction   share of each class held out for validation when the archive has no validation split
 *                      ({@code val/} or t10k files), in [0, 1); 0 for no validation split
 * @param seed          seeds the validation split and the per-epoch shuffles
 * @param limits        safety limits
 * @param spoolDirectory where the spool file goes; {@code null} for {@code java.io.tmpdir}
 * @param preprocessedCacheBytes bytes of preprocessed samples kept on disk next to the spool, so that an image is
 *                      decoded and preprocessed once however many epochs read it; 0 decodes every time
 */
public record DatasetOptions(Preprocessing preprocessing, double valFraction, long seed, DatasetLimits limits,
                             Path spoolDirectory, long preprocessedCacheBytes) {
    public static final double DEFAULT_VAL_FRACTION = 0.1;

    public DatasetOptions {
        if (preprocessing == null || limits == null) {
            throw new IllegalArgumentException("preprocessing and limits must be given");
        }
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("valFraction must be in [0, 1), is " + valFraction);
        }
        if (preprocessedCacheBytes < 0) {
            throw new IllegalArgumentException("preprocessedCacheBytes must be non-negative, is "
                    + preprocessedCacheBytes);
        }
    }

    /** Identity preprocessing, 10% validation, seed 0, default limits, spool in the temp directory, no cache. */
    public static DatasetOptions defaults() {
        return new DatasetOptions(Preprocessing.identity(), DEFAULT_VAL_FRACTION, 0L, DatasetLimits.defaults(), null,
                0);
    }

    public DatasetOptions withPreprocessing(Preprocessing p) {
        return new DatasetOptions(p, valFraction, seed, limits, spoolDirectory, preprocessedCacheBytes);
    }

    public DatasetOptions withValFraction(double fraction) {
        return new DatasetOptions(preprocessing, fraction, seed, limits, spoolDirectory, preprocessedCacheBytes);
    }

    public DatasetOptions withSeed(long s) {
        return new DatasetOptions(preprocessing, valFraction, s, limits, spoolDirectory, preprocessedCacheBytes);
    }

    public DatasetOptions withLimits(DatasetLimits l) {
        return new DatasetOptions(preprocessing, valFraction, seed, l, spoolDirectory, preprocessedCacheBytes);
    }

    public DatasetOptions withSpoolDirectory(Path dir) {
        return new DatasetOptions(preprocessing, valFraction, seed, limits, dir, preprocessedCacheBytes);
    }

    public DatasetOptions withPreprocessedCache(long maxBytes) {
        return new DatasetOptions(preprocessing, valFraction, seed, limits, spoolDirectory, maxBytes);
    }
}
