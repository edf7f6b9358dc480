package io.shears.problem;

/**
 * Input that Shears refuses (a model, a dataset, a head it cannot find, an engine that cannot start), with a stable
 * code that the API and a failed job's record give to clients, and a message that names the cause. Such a failure is
 * the input's, so a job that meets it is not retried.
 */
public abstract class ProblemException extends RuntimeException {
    private final String code;

    protected ProblemException(String code, String message) {
        super(message);
        this.code = code;
    }

    protected ProblemException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public final String code() {
        return code;
    }
}
