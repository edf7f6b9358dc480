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
 */
public record DatasetOptions(Preprocessing preprocessing, double valFraction, long seed, DatasetLimits limits,
                             Path spoolDirectory) {
    public static final double DEFAULT_VAL_FRACTION = 0.1;

    public DatasetOptions {
        if (preprocessing == null || limits == null) {
            throw new IllegalArgumentException("preprocessing and limits must be given");
        }
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("valFraction must be in [0, 1), is " + valFraction);
        }
    }

    /** Identity preprocessing, 10% validation, seed 0, default limits, spool in the temp directory. */
    public static DatasetOptions defaults() {
        return new DatasetOptions(Preprocessing.identity(), DEFAULT_VAL_FRACTION, 0L, DatasetLimits.defaults(), null);
    }

    public DatasetOptions withPreprocessing(Preprocessing p) {
        return new DatasetOptions(p, valFraction, seed, limits, spoolDirectory);
    }

    public DatasetOptions withValFraction(double fraction) {
        return new DatasetOptions(preprocessing, fraction, seed, limits, spoolDirectory);
    }

    public DatasetOptions withSeed(long s) {
        return new DatasetOptions(preprocessing, valFraction, s, limits, spoolDirectory);
    }

    public DatasetOptions withLimits(DatasetLimits l) {
        return new DatasetOptions(preprocessing, valFraction, seed, l, spoolDirectory);
    }

    public DatasetOptions withSpoolDirectory(Path dir) {
        return new DatasetOptions(preprocessing, valFraction, seed, limits, dir);
    }
}
