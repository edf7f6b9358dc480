package io.shears.pipeline;

/** A job spec field is missing, malformed or out of range; {@link #field()} names it as a JSON path. */
public final class InvalidJobSpecException extends RuntimeException {
    private final String field;

    public InvalidJobSpecException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
