package io.shears.onnx;

import io.shears.files.AtomicFiles;
import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Writes a model with deterministic protobuf serialization, so that the same model gives the same bytes, and
 * atomically: the file is either absent or complete.
 */
public final class ModelWriter {
    private ModelWriter() {
    }

    public static void write(ModelProto model, OutputStream out) throws IOException {
        CodedOutputStream coded = CodedOutputStream.newInstance(out, 1 << 16);
        coded.useDeterministicSerialization();
        model.writeTo(coded);
        coded.flush();
    }

    public static void write(ModelProto model, Path target) {
        try {
            AtomicFiles.write(target, out -> write(model, out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    public static byte[] toBytes(ModelProto model) {
        var out = new java.io.ByteArrayOutputStream(model.getSerializedSize());
        try {
            write(model, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
