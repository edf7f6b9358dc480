package io.shears.engine.startup;

import io.shears.problem.ProblemException;

/** The tensor engine cannot start; {@link #code()} is the stable {@link EngineProblem} name. */
public class EngineSetupException extends ProblemException {
    private final EngineProblem problem;

    public EngineSetupException(EngineProblem problem, String message) {
        super(problem.name(), message);
        this.problem = problem;
    }

    public EngineProblem problem() {
        return problem;
    }
}
