package io.shears.cli;

import io.shears.onnx.InvalidModelException;
import io.shears.pruning.BudgetUnreachableException;
import io.shears.pruning.InvalidPruningOptionsException;
import picocli.CommandLine;

import java.io.UncheckedIOException;

/** Turns a failure into one line naming its cause and code, and the matching exit code; no stack traces. */
final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, CommandLine.ParseResult parsed) {
        var err = cli.getErr();
        if (ex instanceof InvalidModelException e) {
            err.println("error: " + e.code() + ": " + e.getMessage());
            return ExitCodes.INVALID_MODEL;
        }
        if (ex instanceof BudgetUnreachableException e) {
            err.println("error: " + e.code() + ": " + e.getMessage());
            return ExitCodes.BUDGET_UNREACHABLE;
        }
        if (ex instanceof InvalidPruningOptionsException e) {
            err.println("error: " + e.code() + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (ex instanceof UncheckedIOException e) {
            err.println("error: IO: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        err.println("error: INTERNAL: " + ex);
        return 1;
    }
}
