package io.shears.engine.onnxruntime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.file.Path;

/**
 * ONNX Runtime sessions on the CPU as the engine runs them, for the latency benchmark and for evaluation alike: the
 * intra-op threads given, one inter-op thread (sequential execution) and every graph optimisation, so that a model's
 * accuracy and its latency come from the same configuration.
 */
public final class OrtSessions {
    private OrtSessions() {
    }

    public static OrtSession open(byte[] model, int threads) throws OrtException {
        try (OrtSession.SessionOptions options = options(threads)) {
            return OrtEnvironment.getEnvironment().createSession(model, options);
        }
    }

    public static OrtSession open(Path model, int threads) throws OrtException {
        try (OrtSession.SessionOptions options = options(threads)) {
            return OrtEnvironment.getEnvironment().createSession(model.toString(), options);
        }
    }

    private static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** Closes a session whose use already failed; that failure is the one to report, so a close failure is not. */
    public static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // the earlier failure is the one reported
            }
        }
    }
}
