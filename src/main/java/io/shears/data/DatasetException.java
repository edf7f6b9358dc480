package io.shears.data;

/** A dataset that Shears refuses, with a stable {@link DatasetProblem} code and a message that names the culprit. */
public class DatasetException extends RuntimeException {
    private final DatasetProblem problem;

    public DatasetException(DatasetProblem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public DatasetException(DatasetProblem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public DatasetProblem problem() {
        return problem;
    }

    public String code() {
        return problem.name();
    }
}
