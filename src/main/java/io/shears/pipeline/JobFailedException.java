package io.shears.pipeline;

/**
 * A job cannot finish. {@code code} is the stable error code the client sees; {@code retryable} is true only for
 * faults that another attempt may not meet (I/O, memory), never for invalid input.
 */
public class JobFailedException extends RuntimeException {
    private final String code;
    private final boolean retryable;

    public JobFailedException(String code, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
    }

    public JobFailedException(String code, String message) {
        this(code, message, false, null);
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }
}
