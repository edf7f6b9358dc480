package io.shears.cli;

/** Exit codes of the command line; pipelines switch on them. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int INVALID_MODEL = 3;
    public static final int BUDGET_UNREACHABLE = 4;
    /** A failure that is neither the user's nor the model's: out of memory, or a bug (the message says which). */
    public static final int INTERNAL_ERROR = 1;

    private ExitCodes() {
    }
}
