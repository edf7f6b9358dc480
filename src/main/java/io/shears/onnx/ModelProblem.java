package io.shears.onnx;

/**
 * Why a model was refused. The names are stable: the command line prints them and the API returns them as the
 * problem {@code code}, so clients may switch on them.
 */
public enum ModelProblem {
    MODEL_TOO_LARGE,
    MODEL_UNPARSEABLE,
    BUNDLE_INVALID,
    EXTERNAL_DATA_OUTSIDE_BUNDLE,
    EXTERNAL_DATA_MISSING,
    ABSURD_DIMENSION,
    VERSION_OUT_OF_RANGE,
    NO_GRAPH_INPUTS,
    ZERO_WIDTH_TENSOR,
    GRAPH_CYCLE,
    DANGLING_INPUT,
    DUPLICATE_OUTPUT,
    NON_FLOAT_WEIGHT,
    INPUT_SHAPE_REQUIRED,
    INPUT_SHAPE_MISMATCH,
    SHAPE_INFERENCE_FAILED,
    UNSUPPORTED_OPERATOR
}
