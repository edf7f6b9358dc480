package io.shears.pipeline;

import io.shears.engine.interpreter.MemoryExhaustion;
import io.shears.engine.interpreter.NodeExecutionException;
import io.shears.engine.startup.EngineSetupException;
import io.shears.problem.ProblemException;
import io.shears.pruning.BudgetUnreachableException;
import io.shears.pruning.InvalidPruningOptionsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.CancellationException;

/**
 * The error codes a pipeline fails with, and the mapping of every failure the libraries below it raise onto them.
 * Besides the codes here, a job reports the libraries' own stable codes unchanged: {@link
 * io.shears.onnx.ModelProblem} (MODEL_UNPARSEABLE, UNSUPPORTED_OPERATOR, ...), {@link io.shears.data.DatasetProblem}
 * (DATASET_ARCHIVE_CORRUPT, ...), {@link io.shears.engine.startup.EngineProblem}, BUDGET_UNREACHABLE,
 * INVALID_PRUNING_OPTIONS and HEAD_NOT_IDENTIFIED.
 */
public final class JobFailures {
    /** A dataset's class count differs from the model's output size and the head is not to be replaced. */
    public static final String DATASET_CLASSES_MISMATCH = "DATASET_CLASSES_MISMATCH";
    /** The spec names a dataset id the caller provided no file for. */
    public static final String DATASET_NOT_FOUND = "DATASET_NOT_FOUND";
    /** The preprocessed images do not have the model input's channels, height and width. */
    public static final String DATASET_SHAPE_MISMATCH = "DATASET_SHAPE_MISMATCH";
    /** The pipeline needs exactly one 4-D image input (and one classifier output for datasets). */
    public static final String MODEL_SHAPE_UNSUPPORTED = "MODEL_SHAPE_UNSUPPORTED";
    /** The interpreter failed on a node while evaluating or training; the message names it. */
    public static final String MODEL_EXECUTION_FAILED = "MODEL_EXECUTION_FAILED";
    /** ONNX Runtime cannot load or run the result, or its output is not finite or not of the expected shape. */
    public static final String EXPORT_FAILED = "EXPORT_FAILED";
    /** The job spec does not validate. */
    public static final String INVALID_JOB_SPEC = "INVALID_JOB_SPEC";
    /** Reading or writing files failed; another attempt may succeed. */
    public static final String IO_ERROR = "IO_ERROR";
    /** The JVM or the native engine ran out of memory; another attempt, or another worker, may succeed. */
    public static final String OUT_OF_MEMORY = "OUT_OF_MEMORY";
    /** Anything else: a bug, reported with its type and message. */
    public static final String INTERNAL = "INTERNAL";

    private JobFailures() {
    }

    /** The failure as the job reports it: a {@link JobFailedException} or, for a cancellation, a {@link JobCancelledException}. */
    static RuntimeException map(Throwable t) {
        if (t instanceof JobFailedException || t instanceof JobCancelledException) {
            return (RuntimeException) t;
        }
        if (t instanceof CancellationException || t instanceof ClosedByInterruptException
                || t instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
            Thread.interrupted();
            return new JobCancelledException("the job was cancelled: its thread was interrupted", false);
        }
        if (t instanceof InvalidJobSpecException e) {
            return invalid(INVALID_JOB_SPEC, e.getMessage(), e);
        }
        if (t instanceof EngineSetupException e) {
            return invalid(e.code(), "the tensor engine cannot start: " + e.getMessage(), e);
        }
        if (t instanceof ProblemException e) {
            return invalid(e.code(), e.getMessage(), e);
        }
        if (t instanceof BudgetUnreachableException e) {
            return invalid(e.code(), e.getMessage(), e);
        }
        if (t instanceof InvalidPruningOptionsException e) {
            return invalid(e.code(), e.getMessage(), e);
        }
        if (t instanceof NodeExecutionException e) {
            return MemoryExhaustion.causedBy(e) ? transientFault(OUT_OF_MEMORY, e) : invalid(MODEL_EXECUTION_FAILED,
                    e.getMessage(), e);
        }
        if (MemoryExhaustion.causedBy(t)) {
            return transientFault(OUT_OF_MEMORY, t);
        }
        if (t instanceof UncheckedIOException || t instanceof IOException) {
            return transientFault(IO_ERROR, t);
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new JobFailedException(INTERNAL, "internal error: " + t, false, t);
    }

    private static JobFailedException invalid(String code, String message, Throwable cause) {
        return new JobFailedException(code, message, false, cause);
    }

    private static JobFailedException transientFault(String code, Throwable cause) {
        return new JobFailedException(code, cause.getMessage() == null ? cause.toString() : cause.getMessage(), true,
                cause);
    }
}
