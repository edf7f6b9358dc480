package io.shears.conformance;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.onnx.ModelReader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The small torchvision fixtures of {@code src/test/resources/models/torchvision/} (BatchNorm CNNs),
 * {@code src/test/resources/models/transformers/} (ViT, ConvNeXt, Swin) and {@code src/test/resources/models/grouped/}
 * (ResNeXt, RegNetY), and the hub-style ones of {@code src/test/resources/models/hub/} (fused-qkv ViT, DeiT,
 * MLP-Mixer, written in {@code bench/models/hub_models.py}), as listed by their {@code manifest.json} (written by
 * {@code bench/models/export_torchvision.py --size small [--family transformer|grouped|hub]}).
 */
public final class Fixtures {
    public static final Path DIRECTORY = Path.of("src/test/resources/models/torchvision");
    /** 8 architectures × opset {13, 17} × {bnfold, bnkeep}. */
    public static final int EXPECTED_COUNT = 32;
    public static final Path TRANSFORMER_DIRECTORY = Path.of("src/test/resources/models/transformers");
    /** {vit, convnext, swin} × opset {13 (LayerNormalization decomposed), 17}. */
    public static final int EXPECTED_TRANSFORMER_COUNT = 6;
    public static final Path GROUPED_DIRECTORY = Path.of("src/test/resources/models/grouped");
    /** {resnext, regnet} × opset {13, 17} × {bnfold, bnkeep}. */
    public static final int EXPECTED_GROUPED_COUNT = 8;
    public static final Path HUB_DIRECTORY = Path.of("src/test/resources/models/hub");
    /** {hubvit (one fused qkv projection), deit (distillation token, two heads), mixer (token mixing)} × opset {13, 17}. */
    public static final int EXPECTED_HUB_COUNT = 6;

    private static final Map<String, ModelProto> MODELS = new ConcurrentHashMap<>();
    private static final Map<Path, List<Fixture>> LISTS = new ConcurrentHashMap<>();

    /** One manifest entry. Shapes are as exported, at batch 1. */
    public record Fixture(Path directory, String file, String arch, int opset, String bn, long[] inputShape,
                          long[] outputShape, int batchnormNodes) {
        public String name() {
            return file.substring(0, file.length() - ".onnx".length());
        }

        public Path path() {
            return directory.resolve(file);
        }

        public long[] inputShape(long batch) {
            long[] s = inputShape.clone();
            s[0] = batch;
            return s;
        }

        public long[] outputShape(long batch) {
            long[] s = outputShape.clone();
            s[0] = batch;
            return s;
        }

        /** The model as {@link ModelReader} reads it; read once per test JVM. */
        public ModelProto model() {
            return MODELS.computeIfAbsent(file, f -> new ModelReader().read(path()));
        }

        @Override
        public String toString() {
            return name();
        }
    }

    private Fixtures() {
    }

    /** Every fixture in manifest order; fails when the manifest or one of its files is missing. */
    public static List<Fixture> all() {
        return LISTS.computeIfAbsent(DIRECTORY, d -> read(d, EXPECTED_COUNT));
    }

    /** The transformer-style fixtures in manifest order; fails when the manifest or one of its files is missing. */
    public static List<Fixture> transformers() {
        return LISTS.computeIfAbsent(TRANSFORMER_DIRECTORY, d -> read(d, EXPECTED_TRANSFORMER_COUNT));
    }

    /** The grouped-convolution fixtures (ResNeXt, RegNetY) in manifest order; fails when one is missing. */
    public static List<Fixture> grouped() {
        return LISTS.computeIfAbsent(GROUPED_DIRECTORY, d -> read(d, EXPECTED_GROUPED_COUNT));
    }

    /** The hub-style transformers in manifest order; fails when the manifest or one of its files is missing. */
    public static List<Fixture> hub() {
        return LISTS.computeIfAbsent(HUB_DIRECTORY, d -> read(d, EXPECTED_HUB_COUNT));
    }

    /** The names of the {@code .onnx} files in {@code directory}, which its manifest must list exactly. */
    public static List<String> onnxFiles(Path directory) {
        try (var files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }

    private static List<Fixture> read(Path directory, int expectedCount) {
        Path manifest = directory.resolve("manifest.json");
        ObjectMapper mapper = JsonMapper.builder().build();
        JsonNode root;
        try {
            root = mapper.readTree(Files.readString(manifest));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the fixture manifest " + manifest, e);
        }
        List<Fixture> out = new ArrayList<>();
        for (JsonNode e : root) {
            Fixture f = new Fixture(directory, e.get("file").asString(), e.get("arch").asString(), e.get("opset").asInt(),
                    e.get("bn").asString(), longs(e.get("input_shape")), longs(e.get("output_shape")),
                    e.get("batchnorm_nodes").asInt());
            if (!Files.isRegularFile(f.path())) {
                throw new IllegalStateException("manifest lists " + f.file() + " but " + f.path() + " is missing");
            }
            out.add(f);
        }
        if (out.size() != expectedCount) {
            throw new IllegalStateException("expected " + expectedCount + " fixtures in " + manifest + ", found "
                    + out.size());
        }
        return List.copyOf(out);
    }

    private static long[] longs(JsonNode array) {
        long[] v = new long[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asLong();
        }
        return v;
    }
}
