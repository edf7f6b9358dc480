package io.shears.pruning;

import io.shears.problem.ProblemException;

/** The classifier head cannot serve: the dataset does not fit the kept head, or Shears cannot tell which layer it is. */
public class HeadReplacementException extends ProblemException {
    /** The dataset's class count differs from the model's output size and the head is to be kept. */
    public static final String DATASET_CLASSES_MISMATCH = "DATASET_CLASSES_MISMATCH";
    /** The layer that produces the model's output is not one Shears can replace (names the node). */
    public static final String HEAD_NOT_IDENTIFIED = "HEAD_NOT_IDENTIFIED";

    public HeadReplacementException(String code, String message) {
        super(code, message);
    }
}
