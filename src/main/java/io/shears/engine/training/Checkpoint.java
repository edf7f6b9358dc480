package io.shears.engine.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.shears.engine.interpreter.NoGradScope;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.files.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fine-tuning checkpoint file: magic and format, the spec it was written for, the run's counters and epoch rows,
 * then every block parameter ({@code param:name}, BatchNorm statistics included) and every optimizer array
 * ({@code state:name}) as shape and raw float bits, big-endian.
 */
final class Checkpoint {
    static final String FILE = "checkpoint.bin";
    private static final int MAGIC = 0x53484654; // "SHFT"
    private static final int FORMAT = 1;
    private static final String PARAM = "param:";
    private static final String STATE = "state:";

    private final OnnxInterpreterBlock block;
    private final String spec;
    private final OptimizerState state;

    Checkpoint(OnnxInterpreterBlock block, FineTuneSpec spec, OptimizerState state) {
        this.block = block;
        this.spec = spec.toString();
        this.state = state;
    }

    void save(Path dir, TrainingProgress progress) throws IOException {
        AtomicFiles.write(dir.resolve(FILE), stream -> {
            DataOutputStream out = new DataOutputStream(stream);
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(spec);
            writeProgress(out, progress);
            writeArrays(out);
            out.flush();
        });
    }

    /** Restores the block's parameters and the optimizer state from {@code file} and returns the run's progress. */
    TrainingProgress load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IOException(file + " is not a Shears fine-tuning checkpoint");
            }
            String savedSpec = in.readUTF();
            if (!savedSpec.equals(spec)) {
                throw new IllegalArgumentException("the checkpoint in " + file + " was written for " + savedSpec
                        + ", not " + spec);
            }
            TrainingProgress progress = readProgress(in);
            try (NoGradScope noGrad = NoGradScope.open()) {
                readArrays(in);
            }
            return progress;
        }
    }

    private static void writeProgress(DataOutputStream out, TrainingProgress p) throws IOException {
        out.writeInt(p.epoch);
        out.writeLong(p.steps);
        out.writeLong(p.trainFlops);
        out.writeBoolean(p.finished);
        out.writeBoolean(p.budgetReached);
        out.writeInt(p.rows.size());
        for (FineTuneResult.EpochRow r : p.rows) {
            out.writeInt(r.epoch());
            out.writeLong(r.steps());
            out.writeLong(r.samples());
            out.writeDouble(r.trainLoss());
            out.writeDouble(r.trainAccuracy());
            out.writeDouble(r.valLoss());
            out.writeDouble(r.valTop1());
            out.writeLong(r.trainFlops());
            out.writeDouble(r.seconds());
        }
    }

    private static TrainingProgress readProgress(DataInputStream in) throws IOException {
        TrainingProgress p = new TrainingProgress();
        p.epoch = in.readInt();
        p.steps = in.readLong();
        p.trainFlops = in.readLong();
        p.finished = in.readBoolean();
        p.budgetReached = in.readBoolean();
        int rows = in.readInt();
        for (int i = 0; i < rows; i++) {
            p.rows.add(new FineTuneResult.EpochRow(in.readInt(), in.readLong(), in.readLong(), in.readDouble(),
                    in.readDouble(), in.readDouble(), in.readDouble(), in.readLong(), in.readDouble()));
        }
        return p;
    }

    private void writeArrays(DataOutputStream out) throws IOException {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (var pair : block.getParameters()) {
            arrays.put(PARAM + pair.getKey(), pair.getValue().getArray());
        }
        for (Map.Entry<String, NDArray> s : state.arrays().entrySet()) {
            arrays.put(STATE + s.getKey(), s.getValue());
        }
        out.writeInt(arrays.size());
        for (Map.Entry<String, NDArray> a : arrays.entrySet()) {
            out.writeUTF(a.getKey());
            long[] shape = a.getValue().getShape().getShape();
            out.writeInt(shape.length);
            for (long d : shape) {
                out.writeLong(d);
            }
            float[] values = a.getValue().toFloatArray();
            out.writeInt(values.length);
            for (float v : values) {
                out.writeInt(Float.floatToRawIntBits(v));
            }
        }
    }

    private void readArrays(DataInputStream in) throws IOException {
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String key = in.readUTF();
            Shape shape = readShape(in);
            float[] values = new float[in.readInt()];
            for (int v = 0; v < values.length; v++) {
                values[v] = Float.intBitsToFloat(in.readInt());
            }
            if (key.startsWith(PARAM)) {
                restoreParameter(key.substring(PARAM.length()), shape, values);
            } else {
                state.restore(key.substring(STATE.length()), values, shape);
            }
        }
    }

    private static Shape readShape(DataInputStream in) throws IOException {
        long[] dims = new long[in.readInt()];
        for (int d = 0; d < dims.length; d++) {
            dims[d] = in.readLong();
        }
        return new Shape(dims);
    }

    private void restoreParameter(String name, Shape shape, float[] values) {
        Parameter param = block.parameter(name);
        if (param == null || !param.getArray().getShape().equals(shape)) {
            throw new IllegalArgumentException("checkpoint parameter " + name + " does not match the model");
        }
        param.getArray().set(FloatBuffer.wrap(values));
    }
}
