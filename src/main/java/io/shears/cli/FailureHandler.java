package io.shears.cli;

import io.shears.engine.startup.EngineSetupException;
import io.shears.onnx.InvalidModelException;
import io.shears.pruning.BudgetUnreachableException;
import io.shears.pruning.InvalidPruningOptionsException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Turns a failure into one line naming its cause and code, and the matching exit code; no stack traces. */
final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, CommandLine.ParseResult parsed) {
        var err = cli.getErr();
        if (ex instanceof InvalidModelException e) {
            return fail(err, e.code(), e.getMessage(), ExitCodes.INVALID_MODEL);
        }
        if (ex instanceof BudgetUnreachableException e) {
            return fail(err, e.code(), e.getMessage(), ExitCodes.BUDGET_UNREACHABLE);
        }
        if (ex instanceof InvalidPruningOptionsException e) {
            return fail(err, e.code(), e.getMessage(), ExitCodes.USAGE);
        }
        if (ex instanceof EngineSetupException e) {
            return fail(err, e.code(), e.getMessage(), ExitCodes.INTERNAL_ERROR);
        }
        if (ex instanceof ServiceStartException e) {
            return fail(err, ServiceStartException.CODE, e.getMessage(), ExitCodes.INTERNAL_ERROR);
        }
        if (ex instanceof RemoteCallException e) {
            return fail(err, e.code(), e.getMessage(), e.exitCode());
        }
        if (ex instanceof UncheckedIOException || ex instanceof IOException) {
            return fail(err, "IO", ex.getMessage(), ExitCodes.USAGE);
        }
        return fail(err, "INTERNAL", ex.toString(), ExitCodes.INTERNAL_ERROR);
    }

    private static int fail(PrintWriter err, String code, String message, int exitCode) {
        String line = message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
        err.println("error: " + code + ": " + line);
        err.flush();
        return exitCode;
    }
}
