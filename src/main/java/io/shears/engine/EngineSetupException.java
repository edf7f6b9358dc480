package io.shears.engine;

/** The tensor engine cannot start; {@link #code()} is the stable {@link EngineProblem} name. */
public class EngineSetupException extends RuntimeException {
    private final EngineProblem problem;

    public EngineSetupException(EngineProblem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public EngineProblem problem() {
        return problem;
    }

    public String code() {
        return problem.name();
    }
}
