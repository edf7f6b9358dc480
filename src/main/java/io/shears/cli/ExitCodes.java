package io.shears.cli;

/** Exit codes of the command line; pipelines switch on them. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int INVALID_MODEL = 3;
    public static final int BUDGET_UNREACHABLE = 4;

    private ExitCodes() {
    }
}
