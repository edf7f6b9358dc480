package io.shears.cli;

/** Exit codes of the command line; pipelines switch on them. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int INVALID_MODEL = 3;
    public static final int BUDGET_UNREACHABLE = 4;
    /** {@code submit}: the job ended FAILED; the error line names its code. */
    public static final int JOB_FAILED = 5;
    /** {@code submit}: the job ended CANCELLED (by someone else, or a time limit of the service). */
    public static final int JOB_CANCELLED = 6;
    /** {@code submit}: the service refused a request (a problem document: bad key, bad model, bad spec, ...). */
    public static final int REFUSED = 7;
    /** {@code submit}: the service could not be reached, failed (5xx), or broke a transfer off; worth a retry. */
    public static final int UNREACHABLE = 8;
    /** A failure that is neither the user's nor the model's: out of memory, or a bug (the message says which). */
    public static final int INTERNAL_ERROR = 1;

    private ExitCodes() {
    }
}
