package io.shears.engine.interpreter;

import ai.djl.engine.EngineException;

import java.util.Locale;

/** Tells exhausted host or device memory, a fault of the machine rather than of the model, from other failures. */
public final class MemoryExhaustion {
    private MemoryExhaustion() {
    }

    /** PyTorch reports exhausted memory as an engine error whose message, or a cause's, says so. */
    public static boolean causedBy(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            return true;
        }
        if (!(t instanceof EngineException) && !(t instanceof NodeExecutionException)) {
            return false;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).contains("out of memory")) {
                return true;
            }
        }
        return false;
    }
}
