package io.shears.onnx;

/** A model that Shears refuses, with a stable {@link ModelProblem} code and a message that names the cause. */
public class InvalidModelException extends RuntimeException {
    private final ModelProblem problem;

    public InvalidModelException(ModelProblem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public InvalidModelException(ModelProblem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public ModelProblem problem() {
        return problem;
    }

    public String code() {
        return problem.name();
    }
}
