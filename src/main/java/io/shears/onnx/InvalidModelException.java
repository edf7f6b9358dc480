package io.shears.onnx;

import io.shears.problem.ProblemException;

/** A model that Shears refuses, with a stable {@link ModelProblem} code and a message that names the cause. */
public class InvalidModelException extends ProblemException {
    private final ModelProblem problem;

    public InvalidModelException(ModelProblem problem, String message) {
        super(problem.name(), message);
        this.problem = problem;
    }

    public InvalidModelException(ModelProblem problem, String message, Throwable cause) {
        super(problem.name(), message, cause);
        this.problem = problem;
    }

    public ModelProblem problem() {
        return problem;
    }
}
