package io.shears.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads an ONNX model from a plain {@code .onnx} file or from a zip / tar.gz bundle that holds the model next to its
 * external-data files. External data is loaded into the tensors, so the rest of Shears sees one self-contained model;
 * everything the reader does not need to touch is kept as parsed, unknown fields included.
 */
public final class ModelReader {
    /**
     * The largest IR version and operator-set version taken as real. ONNX is at IR 11 and opset 23 after eight years,
     * so this leaves room for decades of releases, and refuses the values that only a broken or hostile file holds
     * (and that would not even fit the int the graph keeps the opset in).
     */
    static final long MAX_VERSION = 1000;

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
        checkVersions(model);
        checkInputs(model.getGraph());
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

    private static void checkVersions(ModelProto model) {
        checkVersion("IR version", model.getIrVersion());
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            String domain = opset.getDomain().isEmpty() ? "ai.onnx" : opset.getDomain();
            checkVersion("opset of domain '" + domain + "'", opset.getVersion());
        }
    }

    private static void checkVersion(String what, long version) {
        if (version < 1 || version > MAX_VERSION) {
            throw new InvalidModelException(ModelProblem.VERSION_OUT_OF_RANGE,
                    "the model's " + what + " is " + version + " (allowed: 1.." + MAX_VERSION + ")");
        }
    }

    /** Graph inputs that are not initializers: the values a caller feeds. Older exporters list weights as inputs. */
    private static void checkInputs(GraphProto graph) {
        Set<String> initializers = new HashSet<>();
        graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
        boolean fed = false;
        for (ValueInfoProto input : graph.getInputList()) {
            if (initializers.contains(input.getName())) {
                continue;
            }
            fed = true;
            TensorShapeProto shape = input.getType().getTensorType().getShape();
            for (int axis = 0; axis < shape.getDimCount(); axis++) {
                TensorShapeProto.Dimension d = shape.getDim(axis);
                if (d.hasDimValue() && d.getDimValue() == 0) {
                    throw new InvalidModelException(ModelProblem.ZERO_WIDTH_TENSOR,
                            "input '" + input.getName() + "' has dimension 0 on axis " + axis);
                }
            }
        }
        if (!fed) {
            throw new InvalidModelException(ModelProblem.NO_GRAPH_INPUTS,
                    "the graph has no inputs: there is nothing to feed it");
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
        // An empty vector is how ONNX passes an absent optional input (Resize's roi); an empty matrix or kernel
        // is a layer of width zero, such as a Conv with no output channels.
        if (dims.length >= 2) {
            for (int axis = 0; axis < dims.length; axis++) {
                if (dims[axis] == 0) {
                    throw new InvalidModelException(ModelProblem.ZERO_WIDTH_TENSOR,
                            what + " has dimension 0 on axis " + axis);
                }
            }
        }
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
