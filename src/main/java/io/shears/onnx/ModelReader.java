package io.shears.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an ONNX model from a plain {@code .onnx} file or from a zip / tar.gz bundle that holds the model next to its
 * external-data files. External data is loaded into the tensors, so the rest of Shears sees one self-contained model;
 * everything the reader does not need to touch is kept as parsed, unknown fields included.
 */
public final class ModelReader {
    private final ModelLimits limits;

    public ModelReader(ModelLimits limits) {
        this.limits = limits;
    }

    public ModelReader() {
        this(ModelLimits.defaults());
    }

    public ModelProto read(Path path) {
        try {
            return switch (ArchiveFormat.detect(path)) {
                case ZIP, TAR_GZ -> readBundle(path);
                case PLAIN -> readPlain(path, path.toAbsolutePath().getParent());
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private ModelProto readBundle(Path bundle) throws IOException {
        try (BundleDirectory dir = BundleDirectory.extract(bundle, limits)) {
            return readPlain(dir.modelFile(), dir.root());
        }
    }

    private ModelProto readPlain(Path file, Path externalDataRoot) throws IOException {
        long size = Files.size(file);
        if (size > limits.maxBytes()) {
            throw tooLarge(size);
        }
        ModelProto model = parse(file);
        ExternalDataResolver resolver = new ExternalDataResolver(file.toAbsolutePath().getParent(), externalDataRoot,
                limits);
        if (resolver.needed(model.getGraph())) {
            model = model.toBuilder().setGraph(resolver.inline(model.getGraph())).build();
        }
        checkTensors(model.getGraph());
        return model;
    }

    private ModelProto parse(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CodedInputStream coded = CodedInputStream.newInstance(in);
            coded.setSizeLimit(Integer.MAX_VALUE);
            coded.setRecursionLimit(256);
            ModelProto model = ModelProto.parseFrom(coded);
            if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
                throw new InvalidModelException(ModelProblem.MODEL_UNPARSEABLE,
                        "not an ONNX model: it holds no graph with nodes");
            }
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidModelException(ModelProblem.MODEL_UNPARSEABLE,
                    "not an ONNX model: protobuf does not parse (" + e.getMessage() + ")", e);
        }
    }

    private void checkTensors(GraphProto graph) {
        for (TensorProto t : graph.getInitializerList()) {
            checkTensor("initializer '" + t.getName() + "'", t);
        }
        for (NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("Constant")) {
                node.getAttributeList().stream().filter(a -> a.hasT()).forEach(a ->
                        checkTensor("Constant node '" + node.getName() + "'", a.getT()));
            }
        }
    }

    private void checkTensor(String what, TensorProto t) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        limits.checkShape(what, dims);
        TensorValues.checkStorage(what, t);
    }

    private InvalidModelException tooLarge(long size) {
        return new InvalidModelException(ModelProblem.MODEL_TOO_LARGE,
                "model is " + size + " bytes; the limit is " + limits.maxBytes());
    }

    /** The container formats a model may arrive in, told apart by their first bytes, not by file name. */
    enum ArchiveFormat {
        PLAIN, ZIP, TAR_GZ;

        static ArchiveFormat detect(Path path) throws IOException {
            byte[] head = new byte[4];
            int n;
            try (InputStream in = Files.newInputStream(path)) {
                n = in.readNBytes(head, 0, 4);
            }
            // PK 3 4 starts a zip with entries, PK 5 6 an empty one (end of central directory only)
            if (n >= 4 && head[0] == 'P' && head[1] == 'K'
                    && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6)) {
                return ZIP;
            }
            if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return TAR_GZ;
            }
            return PLAIN;
        }
    }
}
