package io.shears.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The service did not start: a port in use, a data directory another process holds, a database out of reach. Spring
 * logs its own analysis above; the command line ends with the cause in one line instead of a stack trace.
 */
final class ServiceStartException extends RuntimeException {
    static final String CODE = "STARTUP";
    private static final int TERSE = 40;
    private static final int SHORT = 200;

    ServiceStartException(RuntimeException failure) {
        super("the service did not start: " + specificCause(failure), failure);
    }

    /**
     * The innermost message of the cause chain, which names the specific cause; when that is terse ("Address already
     * in use"), the short message just above it adds what failed. The outer ones repeat Spring's bean wiring.
     */
    private static String specificCause(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null && messages.size() < 32; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().strip();
            if (!message.isEmpty()) {
                messages.add(message);
            }
        }
        if (messages.isEmpty()) {
            return failure.getClass().getSimpleName();
        }
        String innermost = messages.get(messages.size() - 1);
        if (innermost.length() < TERSE && messages.size() > 1) {
            String above = messages.get(messages.size() - 2);
            if (above.length() < SHORT && !above.contains(innermost)) {
                return above + ": " + innermost;
            }
        }
        return innermost;
    }
}
