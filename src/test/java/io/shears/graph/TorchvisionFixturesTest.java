package io.shears.graph;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.onnx.ModelReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real torchvision exports (generated into src/test/resources/models/torchvision with a manifest.json): every one is
 * read, its shapes inferred from the manifest's input shape, and compared with the manifest and ONNX Runtime.
 */
class TorchvisionFixturesTest {
    private static final Path DIR = Path.of("src/test/resources/models/torchvision");

    record Fixture(String file, String arch, long opset, String bn, long[] inputShape, long[] outputShape) {
        @Override
        public String toString() {
            return file;
        }
    }

    static List<Fixture> fixtures() {
        Path manifest = DIR.resolve("manifest.json");
        assertThat(manifest).as("the fixture directory exists, so its manifest must too").isRegularFile();
        JsonNode root = new ObjectMapper().readTree(manifest);
        List<Fixture> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode f = root.get(i);
            out.add(new Fixture(f.get("file").asString(), f.get("arch").asString(), f.get("opset").asLong(),
                    f.get("bn").asString(), longs(f.get("input_shape")), longs(f.get("output_shape"))));
        }
        return out;
    }

    static Stream<Fixture> present() {
        Assumptions.assumeTrue(Files.isDirectory(DIR), "no torchvision fixtures in " + DIR);
        List<Fixture> all = fixtures();
        assertThat(all).as("manifest.json lists the fixtures").isNotEmpty();
        return all.stream();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("present")
    void infersTheManifestOutputShapeAndCountsMacs(Fixture fixture) {
        Path file = DIR.resolve(fixture.file());
        assertThat(file).as("listed in manifest.json").isRegularFile();
        ModelProto model = new ModelReader().read(file);
        Graph graph = new Graph(model);

        Shapes shapes = ShapeInference.infer(graph, Map.of(ShapeInference.ONLY_INPUT, fixture.inputShape()));
        CostReport cost = CostModel.analyze(graph, shapes);

        assertThat(graph.opset()).isEqualTo(fixture.opset());
        assertThat(graph.outputs()).hasSize(1);
        assertThat(shapes.dims(graph.outputs().get(0))).containsExactly(fixture.outputShape());
        assertThat(cost.macs()).isPositive();
        assertThat(cost.params()).isPositive();
        assertThat(cost.layers()).anyMatch(l -> l.op().equals("Conv") && l.macs() > 0);
    }

    /** Every float intermediate of every fixture against ONNX Runtime, at the manifest's input shape. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("present")
    void everyIntermediateShapeMatchesOnnxRuntime(Fixture fixture) {
        ModelProto model = new ModelReader().read(DIR.resolve(fixture.file()));

        OrtShapes.assertMatchesOrt(model, fixture.inputShape());
    }

    /** Folding BatchNormalization into the convs changes the parameters, never the MACs. */
    @Test
    void foldedAndKeptBatchNormHaveTheSameMacs() {
        List<Fixture> all = present().toList();
        Map<String, Long> macs = new HashMap<>();
        for (Fixture f : all) {
            Graph graph = new Graph(new ModelReader().read(DIR.resolve(f.file())));
            long m = CostModel.analyze(graph, ShapeInference.infer(graph,
                    Map.of(ShapeInference.ONLY_INPUT, f.inputShape()))).macs();
            macs.put(f.file(), m);
        }
        int pairs = 0;
        for (Fixture f : all) {
            if (f.bn().equals("fold")) {
                String keep = f.file().replace("bnfold", "bnkeep");
                if (macs.containsKey(keep)) {
                    assertThat(macs.get(f.file())).as(f.file() + " vs " + keep).isEqualTo(macs.get(keep));
                    pairs++;
                }
            }
        }
        assertThat(pairs).isPositive();
    }
}
