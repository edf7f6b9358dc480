package io.shears.pruning;

/** Options that contradict each other or the model (an unknown node to exclude, a fraction above 1). */
public class InvalidPruningOptionsException extends RuntimeException {
    public static final String CODE = "INVALID_PRUNING_OPTIONS";

    public InvalidPruningOptionsException(String message) {
        super(message);
    }

    public String code() {
        return CODE;
    }
}
