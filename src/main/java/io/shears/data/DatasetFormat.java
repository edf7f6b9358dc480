package io.shears.data;

/** The layouts a dataset archive may hold, recognised by content. */
public enum DatasetFormat {
    /** {@code train/<class>/*.png|jpg|jpeg}, optionally {@code val/<class>/...}, optionally inside one folder. */
    IMAGE_FOLDER,
    /** MNIST-style IDX files: {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, optional t10k. */
    IDX
}
