package io.shears.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads tensors stored as ONNX external data into {@code raw_data}. A location may only name a file inside the
 * directory the model came with; anything else (absolute paths, {@code ..}, links out) is refused.
 */
final class ExternalDataResolver {
    private final Path base;
    private final Path root;
    private final ModelLimits limits;
    private long loaded;

    ExternalDataResolver(Path root, ModelLimits limits) {
        this(root, root, limits);
    }

    /**
     * @param base the directory of the model file, which locations are relative to (as the ONNX spec says)
     * @param root the directory no location may leave (the bundle root; for a plain file, its own directory)
     */
    ExternalDataResolver(Path base, Path root, ModelLimits limits) {
        this.base = base.toAbsolutePath().normalize();
        this.root = root.toAbsolutePath().normalize();
        this.limits = limits;
    }

    boolean needed(GraphProto graph) {
        return graph.getInitializerList().stream().anyMatch(ExternalDataResolver::isExternal)
                || graph.getNodeList().stream().anyMatch(n -> n.getAttributeList().stream()
                .anyMatch(a -> a.hasT() && isExternal(a.getT())));
    }

    GraphProto inline(GraphProto graph) {
        GraphProto.Builder builder = graph.toBuilder();
        for (int i = 0; i < builder.getInitializerCount(); i++) {
            if (isExternal(builder.getInitializer(i))) {
                builder.setInitializer(i, load(builder.getInitializer(i)));
            }
        }
        for (int i = 0; i < builder.getNodeCount(); i++) {
            NodeProto node = builder.getNode(i);
            for (int a = 0; a < node.getAttributeCount(); a++) {
                if (node.getAttribute(a).hasT() && isExternal(node.getAttribute(a).getT())) {
                    NodeProto.Builder nb = builder.getNodeBuilder(i);
                    nb.getAttributeBuilder(a).setT(load(node.getAttribute(a).getT()));
                }
            }
        }
        return builder.build();
    }

    private static boolean isExternal(TensorProto t) {
        return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    private TensorProto load(TensorProto tensor) {
        String location = null;
        long offset = 0;
        Long declaredLength = null;
        for (StringStringEntryProto kv : tensor.getExternalDataList()) {
            switch (kv.getKey()) {
                case "location" -> location = kv.getValue();
                case "offset" -> offset = parse(tensor, kv);
                case "length" -> declaredLength = parse(tensor, kv);
                default -> { }
            }
        }
        if (location == null) {
            throw new InvalidModelException(ModelProblem.EXTERNAL_DATA_MISSING,
                    "tensor '" + tensor.getName() + "' is external but names no location");
        }
        Path file = resolve(tensor, location);
        try {
            long size = Files.size(file);
            long length = declaredLength == null ? size - offset : declaredLength;
            if (offset < 0 || length < 0 || offset > size || length > size - offset) {
                throw new InvalidModelException(ModelProblem.EXTERNAL_DATA_MISSING, "tensor '" + tensor.getName()
                        + "' reads bytes " + offset + ".." + (offset + length) + " of '" + location
                        + "', which has " + size);
            }
            loaded += length;
            if (loaded > limits.maxBytes() || length > Integer.MAX_VALUE) {
                throw new InvalidModelException(ModelProblem.MODEL_TOO_LARGE,
                        "external data exceeds the limit of " + limits.maxBytes() + " bytes");
            }
            ByteString data;
            try (InputStream in = Files.newInputStream(file)) {
                in.skipNBytes(offset);
                // The array is never touched again, so wrapping it saves a second copy of the tensor.
                data = UnsafeByteOperations.unsafeWrap(in.readNBytes((int) length));
            }
            return tensor.toBuilder()
                    .clearExternalData()
                    .clearDataLocation()
                    .setRawData(data)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path resolve(TensorProto tensor, String location) {
        Path relative;
        try {
            relative = Path.of(location).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidModelException(ModelProblem.EXTERNAL_DATA_MISSING,
                    "tensor '" + tensor.getName() + "' names external data '" + location + "', which is not a path");
        }
        Path file = base.resolve(relative).normalize();
        if (relative.isAbsolute() || relative.startsWith("..") || !file.startsWith(root)) {
            throw new InvalidModelException(ModelProblem.EXTERNAL_DATA_OUTSIDE_BUNDLE,
                    "tensor '" + tensor.getName() + "' names external data '" + location + "' outside the bundle");
        }
        try {
            if (!Files.isRegularFile(file)) {
                throw new InvalidModelException(ModelProblem.EXTERNAL_DATA_MISSING,
                        "tensor '" + tensor.getName() + "' names external data '" + location + "', which is not there");
            }
            if (!file.toRealPath().startsWith(root.toRealPath())) {
                throw new InvalidModelException(ModelProblem.EXTERNAL_DATA_OUTSIDE_BUNDLE, "tensor '"
                        + tensor.getName() + "' names external data '" + location + "', a link out of the bundle");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static long parse(TensorProto tensor, StringStringEntryProto kv) {
        try {
            return Long.parseLong(kv.getValue());
        } catch (NumberFormatException e) {
            throw new InvalidModelException(ModelProblem.EXTERNAL_DATA_MISSING,
                    "tensor '" + tensor.getName() + "' has external data " + kv.getKey() + "=" + kv.getValue());
        }
    }
}
