package io.shears.data;

import io.shears.problem.ProblemException;

/** A dataset that Shears refuses, with a stable {@link DatasetProblem} code and a message that names the culprit. */
public class DatasetException extends ProblemException {
    private final DatasetProblem problem;

    public DatasetException(DatasetProblem problem, String message) {
        super(problem.name(), message);
        this.problem = problem;
    }

    public DatasetException(DatasetProblem problem, String message, Throwable cause) {
        super(problem.name(), message, cause);
        this.problem = problem;
    }

    public DatasetProblem problem() {
        return problem;
    }
}
