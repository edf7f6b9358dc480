package io.shears.engine.evaluation;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.shears.data.Batch;
import io.shears.engine.onnxruntime.OrtSessions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Evaluates an ONNX model file in ONNX Runtime on the CPU, with {@link Evaluator}'s metrics: the bytes a job
 * publishes, run by the runtime they are deployed on, and at that runtime's pace (the interpreter runs a graph node by
 * node through libtorch, which took 1.7 times as long per image on ResNet-18 and 4 times on a small model).
 *
 * <p>ONNX Runtime does not see Java interrupts, so while a batch runs a watcher checks the calling thread every
 * {@value #WATCH_MILLIS} ms and, once it is interrupted, sets the run's terminate flag: a cancelled job stops within
 * that time rather than at the end of the batch.
 */
public final class OrtEvaluator implements AutoCloseable {
    static final long WATCH_MILLIS = 100;
    private static final ScheduledExecutorService WATCHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ort-evaluation-watcher");
        thread.setDaemon(true);
        return thread;
    });

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private ByteBuffer input;

    private OrtEvaluator(OrtEnvironment env, OrtSession session, String inputName) {
        this.env = env;
        this.session = session;
        this.inputName = inputName;
    }

    /**
     * Loads the model as {@link OrtSessions} does, with {@code threads} intra-op threads. The pool spins between
     * operators as ONNX Runtime's does by default: sleeping at once made an idle evaluation 7% slower and was no
     * faster beside two busy processes.
     *
     * @throws UnsupportedOperationException when ONNX Runtime cannot load the model, or the model does not take one
     *                                       float tensor whose batch axis is free (a fixed batch of 1 cannot take
     *                                       the dataset's batches); the message says which
     */
    public static OrtEvaluator open(Path model, int threads) {
        OrtSession session = null;
        try {
            session = OrtSessions.open(model, threads);
            String input = acceptedInput(session);
            return new OrtEvaluator(OrtEnvironment.getEnvironment(), session, input);
        } catch (OrtException e) {
            OrtSessions.closeQuietly(session);
            throw new UnsupportedOperationException("ONNX Runtime could not load the model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            OrtSessions.closeQuietly(session);
            throw e;
        }
    }

    private static String acceptedInput(OrtSession session) throws OrtException {
        if (session.getNumInputs() != 1) {
            throw new UnsupportedOperationException("the model has " + session.getNumInputs() + " inputs, not one");
        }
        NodeInfo input = session.getInputInfo().values().iterator().next();
        if (!(input.getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT) {
            throw new UnsupportedOperationException("input '" + input.getName() + "' is not a float tensor");
        }
        long[] shape = tensor.getShape();
        if (shape.length == 0 || shape[0] >= 0) {
            throw new UnsupportedOperationException("input '" + input.getName() + "' has a fixed batch size");
        }
        return input.getName();
    }

    /**
     * Evaluates on the given batches, whose labels are in {@code [0, classCount)}.
     *
     * @throws CancellationException when the calling thread is interrupted, keeping its flag
     * @throws UnsupportedOperationException when ONNX Runtime fails on a batch, with its message
     */
    public EvaluationResult evaluate(Iterator<Batch> batches, int classCount) {
        if (classCount < 1) {
            throw new IllegalArgumentException("class count must be at least 1, is " + classCount);
        }
        Evaluator.Accumulator acc = new Evaluator.Accumulator(classCount);
        Thread caller = Thread.currentThread();
        try (OrtSession.RunOptions run = new OrtSession.RunOptions();
             InterruptWatch watch = new InterruptWatch(run, caller)) {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                acc.add(logits(batch, run, classCount), batch.labels());
            }
        } catch (OrtException e) {
            if (caller.isInterrupted()) {
                throw new CancellationException("interrupted during evaluation in ONNX Runtime");
            }
            throw new UnsupportedOperationException("ONNX Runtime failed on a batch: " + e.getMessage(), e);
        }
        return acc.result();
    }

    private float[] logits(Batch batch, OrtSession.RunOptions run, int classCount) throws OrtException {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("interrupted during evaluation in ONNX Runtime");
        }
        try (OnnxTensor x = OnnxTensor.createTensor(env, input(batch), batch.nchw());
             OrtSession.Result result = session.run(Map.of(inputName, x), run)) {
            OnnxValue first = result.get(0);
            if (!(first instanceof OnnxTensor out) || out.getInfo().type != OnnxJavaType.FLOAT) {
                throw new UnsupportedOperationException("the model's first output is not a float tensor");
            }
            Evaluator.requireLogits(out.getInfo().getShape(), batch.size(), classCount);
            FloatBuffer values = out.getFloatBuffer();
            float[] logits = new float[values.remaining()];
            values.get(logits);
            return logits;
        }
    }

    /**
     * The batch written into a direct buffer that is reused from batch to batch. ONNX Runtime runs on a direct buffer
     * where it is; given a heap array it allocates a fresh direct buffer per batch, zeroes it and copies into it, which
     * for a batch of 32 images of 3×224×224 (19 MB) is fresh memory the kernel has to map every time. A batch served
     * from the dataset's cache is read from its file straight into the buffer.
     */
    private FloatBuffer input(Batch batch) {
        int bytes = Math.multiplyExact(batch.floatCount(), Float.BYTES);
        if (input == null || input.capacity() < bytes) {
            input = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        input.clear();
        batch.writeTo(input);
        return input.flip().asFloatBuffer();
    }

    /**
     * Sets a run's terminate flag once the calling thread is interrupted, until closed. Checks and closing exclude
     * each other, so the flag is never set on run options already closed.
     */
    private static final class InterruptWatch implements AutoCloseable {
        private final OrtSession.RunOptions run;
        private final Thread caller;
        private final ScheduledFuture<?> task;
        private boolean closed;

        InterruptWatch(OrtSession.RunOptions run, Thread caller) {
            this.run = run;
            this.caller = caller;
            this.task = WATCHER.scheduleWithFixedDelay(this::check, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
        }

        private synchronized void check() {
            if (!closed && caller.isInterrupted()) {
                try {
                    run.setTerminate(true);
                } catch (OrtException e) {
                    // the batch in flight runs to its end; the check before the next batch stops the pass
                }
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            task.cancel(false);
        }
    }

    @Override
    public void close() {
        input = null;
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("could not close the ONNX Runtime session: " + e.getMessage(), e);
        }
    }
}
