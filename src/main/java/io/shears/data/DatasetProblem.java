package io.shears.data;

/**
 * Why a dataset was refused. The names are stable: the command line prints them and the API returns them as the
 * problem {@code code}, so clients may switch on them.
 */
public enum DatasetProblem {
    /** The file is neither a zip, a tar.gz nor a tar archive (told by its first bytes, not its name). */
    DATASET_UNSUPPORTED_FORMAT,
    /** The archive does not read to its end: truncated, or an entry is damaged or uses an unsupported zip feature. */
    DATASET_ARCHIVE_CORRUPT,
    /** An entry name is absolute or climbs out with {@code ..} (zip slip), or an entry is a link or a device. */
    DATASET_UNSAFE_PATH,
    /** An entry inflates more than the allowed ratio over its compressed size (zip bomb). */
    DATASET_ZIP_BOMB,
    /** The archive unpacks to more bytes, or holds more entries, than the limits allow. */
    DATASET_TOO_LARGE,
    /** The archive holds more classes than the limit allows. */
    DATASET_TOO_MANY_CLASSES,
    /** The archive holds neither an ImageFolder layout nor MNIST-style IDX files. */
    DATASET_LAYOUT_UNKNOWN,
    /** The archive, or a split of it, holds no image at all. */
    DATASET_EMPTY,
    /** A class folder holds no usable image. */
    DATASET_CLASS_EMPTY,
    /** The classes of {@code val/} (or of the t10k files) differ from those of {@code train/}. */
    DATASET_CLASSES_MISMATCH,
    /** An image declares a width, height or pixel count past the limits, or its file is larger than allowed. */
    DATASET_IMAGE_TOO_LARGE,
    /** More images are corrupt than the limit tolerates. */
    DATASET_INVALID,
    /** An IDX file has a wrong magic number, element type, dimension, count or length. */
    DATASET_IDX_INVALID,
    /** The images differ in size and the preprocessing has no crop that would make them one size. */
    DATASET_IMAGE_SIZES_DIFFER,
    /** The preprocessing spec is inconsistent (non-positive std, mean/std of the wrong length, negative sizes). */
    DATASET_PREPROCESSING_INVALID
}
