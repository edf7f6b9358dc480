package io.shears.cli;

/**
 * A call to a Shears service that did not go as planned: the service refused it (a problem document with its
 * code), could not be reached, or the job ended without succeeding. {@link #exitCode()} is what the process exits with.
 */
final class RemoteCallException extends RuntimeException {
    private final int exitCode;
    private final String code;

    RemoteCallException(int exitCode, String code, String message) {
        super(message);
        this.exitCode = exitCode;
        this.code = code;
    }

    int exitCode() {
        return exitCode;
    }

    String code() {
        return code;
    }
}
