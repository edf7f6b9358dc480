package io.shears.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/**
 * Models whose weights live outside the .onnx file: plain files next to their data, zip and tar.gz bundles, and the
 * hostile variants of each (paths out of the bundle, zip-slip entries, links, bombs, missing files).
 */
class ExternalDataBundleTest {
    private static final long[] INPUT_SHAPE = TestGraphs.inputShape(2);
    private static final float[] INPUT = OrtRunner.randomInput(7, INPUT_SHAPE);

    private static ModelProto original;
    private static byte[] originalBytes;
    private static float[] originalOutput;
    private static ModelProto external;
    private static byte[] externalModelBytes;
    private static byte[] weights;

    @TempDir
    Path dir;

    @BeforeAll
    static void externalizeResnet() {
        original = TestGraphs.resnetBasicBlocks().build(13);
        originalBytes = ModelWriter.toBytes(original);
        originalOutput = OrtRunner.run(originalBytes, INPUT, INPUT_SHAPE);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        external = Protos.externalize(original, "weights.bin", data, 0);
        externalModelBytes = ModelWriter.toBytes(external);
        weights = data.toByteArray();
    }

    @Test
    void theFixtureReallyKeepsEveryWeightOutsideTheModelFile() {
        assertThat(Protos.externalNames(external)).hasSize(original.getGraph().getInitializerCount());
        assertThat(external.getGraph().getInitializerList()).allSatisfy(t -> assertThat(t.hasRawData()).isFalse());
        assertThat(externalModelBytes.length).isLessThan(originalBytes.length / 4);
        assertThat(weights.length).isGreaterThan(originalBytes.length / 2);
    }

    @Test
    void readsAZipBundleWithTheOriginalTensorsAndOutputs() throws IOException {
        Path bundle = Archives.zip(dir.resolve("bundle.zip"),
                Archives.entries("model.onnx", externalModelBytes, "weights.bin", weights));

        ModelProto read = new ModelReader().read(bundle);

        assertSameTensors(read);
        assertThat(OrtRunner.run(ModelWriter.toBytes(read), INPUT, INPUT_SHAPE)).containsExactly(originalOutput);
    }

    @Test
    void readsATarGzBundleWithTheOriginalTensorsAndOutputs() {
        Path bundle = Archives.tarGz(dir.resolve("bundle.tar.gz"),
                Archives.entries("model.onnx", externalModelBytes, "weights.bin", weights));

        ModelProto read = new ModelReader().read(bundle);

        assertSameTensors(read);
        assertThat(OrtRunner.run(ModelWriter.toBytes(read), INPUT, INPUT_SHAPE)).containsExactly(originalOutput);
    }

    @Test
    void bundleFormatIsToldByContentNotByFileName() {
        Path zipNamedOnnx = Archives.zip(dir.resolve("upload.onnx"),
                Archives.entries("model.onnx", externalModelBytes, "weights.bin", weights));
        Path tarNamedBin = Archives.tarGz(dir.resolve("upload.bin"),
                Archives.entries("model.onnx", externalModelBytes, "weights.bin", weights));

        assertSameTensors(new ModelReader().read(zipNamedOnnx));
        assertSameTensors(new ModelReader().read(tarNamedBin));
    }

    @Test
    void readsAPlainModelFileWhoseDataFileLiesNextToIt() throws IOException {
        Files.write(dir.resolve("model.onnx"), externalModelBytes);
        Files.write(dir.resolve("weights.bin"), weights);

        ModelProto read = new ModelReader().read(dir.resolve("model.onnx"));

        assertSameTensors(read);
        assertThat(OrtRunner.run(ModelWriter.toBytes(read), INPUT, INPUT_SHAPE)).containsExactly(originalOutput);
    }

    @Test
    void readsWeightsSpreadOverSeveralFilesInSubdirectories() {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        var graph = original.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            boolean even = i % 2 == 0;
            graph.setInitializer(i, Protos.moveOut(graph.getInitializer(i),
                    even ? "data/even.bin" : "odd.bin", even ? first : second));
        }
        byte[] model = ModelWriter.toBytes(original.toBuilder().setGraph(graph).build());
        Path bundle = Archives.tarGz(dir.resolve("split.tgz"), Archives.entries(
                "model.onnx", model, "data/even.bin", first.toByteArray(), "odd.bin", second.toByteArray()));

        ModelProto read = new ModelReader().read(bundle);

        assertSameTensors(read);
        assertThat(OrtRunner.run(ModelWriter.toBytes(read), INPUT, INPUT_SHAPE)).containsExactly(originalOutput);
    }

    /** Zipping a folder ("zip -r bundle.zip export/") puts the model and its data one level down. */
    @Test
    void resolvesLocationsRelativeToTheModelFileInsideTheBundle() {
        Path bundle = Archives.zip(dir.resolve("folder.zip"),
                Archives.entries("export/model.onnx", externalModelBytes, "export/weights.bin", weights));

        ModelProto read = new ModelReader().read(bundle);

        assertSameTensors(read);
    }

    @Test
    void loadsExternalDataOfConstantNodeTensors() {
        ModelProto paddle = TestGraphs.paddleConstantWeights().build(13);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        var graph = paddle.getGraph().toBuilder();
        int moved = 0;
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            if (node.getOpType().equals("Constant")) {
                TensorProto value = node.getAttribute(0).getT();
                graph.getNodeBuilder(i).getAttributeBuilder(0).setT(Protos.moveOut(value, "consts.bin", data));
                moved++;
            }
        }
        assertThat(moved).isGreaterThan(3);
        Path bundle = Archives.zip(dir.resolve("paddle.zip"), Archives.entries(
                "model.onnx", ModelWriter.toBytes(paddle.toBuilder().setGraph(graph).build()),
                "consts.bin", data.toByteArray()));

        ModelProto read = new ModelReader().read(bundle);

        for (int i = 0; i < paddle.getGraph().getNodeCount(); i++) {
            NodeProto expected = paddle.getGraph().getNode(i);
            NodeProto actual = read.getGraph().getNode(i);
            if (expected.getOpType().equals("Constant")) {
                TensorProto t = actual.getAttribute(0).getT();
                assertThat(t.getDataLocation()).isNotEqualTo(TensorProto.DataLocation.EXTERNAL);
                assertThat(t.getExternalDataCount()).isZero();
                assertThat(t.getRawData()).isEqualTo(expected.getAttribute(0).getT().getRawData());
            } else {
                assertThat(actual).isEqualTo(expected);
            }
        }
        long[] shape = TestGraphs.inputShape(1);
        float[] input = OrtRunner.randomInput(3, shape);
        assertThat(OrtRunner.run(ModelWriter.toBytes(read), input, shape))
                .containsExactly(OrtRunner.run(paddle.toByteArray(), input, shape));
    }

    @Test
    void aLengthlessEntryReadsToTheEndOfTheFile() throws IOException {
        TensorProto w = original.getGraph().getInitializer(0);
        byte[] raw = w.getRawData().toByteArray();
        byte[] file = new byte[10 + raw.length];
        System.arraycopy(raw, 0, file, 10, raw.length);
        TensorProto ext = w.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(Protos.kv("location", "tail.bin")).addExternalData(Protos.kv("offset", "10")).build();
        ModelProto model = original.toBuilder().setGraph(original.getGraph().toBuilder().setInitializer(0, ext)).build();
        Files.write(dir.resolve("m.onnx"), ModelWriter.toBytes(model));
        Files.write(dir.resolve("tail.bin"), file);

        ModelProto read = new ModelReader().read(dir.resolve("m.onnx"));

        assertThat(read.getGraph().getInitializer(0).getRawData()).isEqualTo(w.getRawData());
    }

    // ---------------------------------------------------------------- locations that leave the bundle

    @ParameterizedTest
    @ValueSource(strings = {"../weights.bin", "../../weights.bin", "sub/../../weights.bin", "./../weights.bin"})
    void refusesRelativeLocationsOutOfTheModelDirectoryEvenWhenTheFileExists(String location) throws IOException {
        Path modelDir = Files.createDirectories(dir.resolve("a/b"));
        Files.write(dir.resolve("weights.bin"), weights);
        Files.write(dir.resolve("a/weights.bin"), weights);
        Files.write(modelDir.resolve("model.onnx"), ModelWriter.toBytes(relocated(location)));

        assertThatThrownBy(() -> new ModelReader().read(modelDir.resolve("model.onnx")))
                .asInstanceOf(type(InvalidModelException.class))
                .satisfies(e -> {
                    assertThat(e.problem()).isEqualTo(ModelProblem.EXTERNAL_DATA_OUTSIDE_BUNDLE);
                    assertThat(e.code()).isEqualTo("EXTERNAL_DATA_OUTSIDE_BUNDLE");
                    assertThat(e.getMessage()).contains(location)
                            .contains(original.getGraph().getInitializer(0).getName());
                });
    }

    @Test
    void refusesAnAbsoluteLocationEvenWhenTheFileExists() throws IOException {
        Path data = dir.resolve("weights.bin");
        Files.write(data, weights);
        String location = data.toAbsolutePath().toString();
        Files.write(dir.resolve("model.onnx"), ModelWriter.toBytes(relocated(location)));

        assertProblem(() -> new ModelReader().read(dir.resolve("model.onnx")),
                ModelProblem.EXTERNAL_DATA_OUTSIDE_BUNDLE, location);
    }

    @Test
    void refusesLocationsOutOfABundle() {
        for (String location : List.of("../weights.bin", "/etc/passwd")) {
            Path bundle = Archives.zip(dir.resolve(UUID.randomUUID() + ".zip"),
                    Archives.entries("model.onnx", ModelWriter.toBytes(relocated(location)), "weights.bin", weights));
            assertProblem(() -> new ModelReader().read(bundle), ModelProblem.EXTERNAL_DATA_OUTSIDE_BUNDLE, location);
        }
    }

    @Test
    void refusesADataFileThatIsALinkOutOfTheModelDirectory() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.write(outside.resolve("weights.bin"), weights);
        Path modelDir = Files.createDirectories(dir.resolve("model"));
        Files.createSymbolicLink(modelDir.resolve("weights.bin"), outside.resolve("weights.bin"));
        Files.write(modelDir.resolve("model.onnx"), externalModelBytes);

        assertProblem(() -> new ModelReader().read(modelDir.resolve("model.onnx")),
                ModelProblem.EXTERNAL_DATA_OUTSIDE_BUNDLE, "weights.bin");
    }

    @Test
    void refusesALocationThatIsNotAPathByName() throws IOException {
        String location = "weights\u0000.bin";
        Files.write(dir.resolve("model.onnx"), ModelWriter.toBytes(relocated(location)));

        assertProblem(() -> new ModelReader().read(dir.resolve("model.onnx")), ModelProblem.EXTERNAL_DATA_MISSING,
                original.getGraph().getInitializer(0).getName());
    }

    @Test
    void refusesAnEntryNameThatIsNotAPath() {
        Path bundle = Archives.zip(dir.resolve("nul.zip"), Archives.entries(
                "model.onnx", externalModelBytes, "weights.bin", weights, "bad\u0000name.bin", new byte[] {1}));

        assertProblem(() -> new ModelReader().read(bundle), ModelProblem.BUNDLE_INVALID, "bad");
    }

    // ---------------------------------------------------------------- archive entries that leave the bundle

    @ParameterizedTest
    @ValueSource(strings = {"../", "../../", "x/../../", "/"})
    void refusesZipSlipEntriesAndWritesNothingOutside(String prefix) throws IOException {
        String unique = "shears-slip-" + UUID.randomUUID() + ".bin";
        String entryName = prefix.equals("/") ? tmp().resolve(unique).toString() : prefix + unique;
        Path bundle = Archives.zip(dir.resolve("slip.zip"), Archives.entries(
                "model.onnx", externalModelBytes, entryName, new byte[] {1, 2, 3}, "weights.bin", weights));

        assertProblem(() -> new ModelReader().read(bundle), ModelProblem.EXTERNAL_DATA_OUTSIDE_BUNDLE, unique);
        assertNothingNamed(unique);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../", "a/../../"})
    void refusesTarSlipEntriesAndWritesNothingOutside(String prefix) throws IOException {
        String unique = "shears-slip-" + UUID.randomUUID() + ".bin";
        Path bundle = Archives.tarGz(dir.resolve("slip.tar.gz"), Archives.entries(
                "model.onnx", externalModelBytes, prefix + unique, new byte[] {1, 2, 3}, "weights.bin", weights));

        assertProblem(() -> new ModelReader().read(bundle), ModelProblem.EXTERNAL_DATA_OUTSIDE_BUNDLE, unique);
        assertNothingNamed(unique);
    }

    @Test
    void refusesAbsoluteTarEntries() throws IOException {
        String unique = "shears-slip-" + UUID.randomUUID() + ".bin";
        Path bundle = Archives.tarGz(dir.resolve("abs.tar.gz"), Archives.entries(
                "model.onnx", externalModelBytes, tmp().resolve(unique).toString(), new byte[] {9},
                "weights.bin", weights));

        assertProblem(() -> new ModelReader().read(bundle), ModelProblem.EXTERNAL_DATA_OUTSIDE_BUNDLE, unique);
        assertNothingNamed(unique);
    }

    @Test
    void refusesLinksInATarBundle() {
        Path bundle = Archives.tarGzWithSymlink(dir.resolve("link.tar.gz"),
                Archives.entries("model.onnx", externalModelBytes), "weights.bin", "/etc/passwd");

        assertProblem(() -> new ModelReader().read(bundle), ModelProblem.BUNDLE_INVALID, "weights.bin");
    }

    // ---------------------------------------------------------------- missing data

    @Test
    void refusesAMissingDataFileByTensorAndLocation() {
        Path bundle = Archives.zip(dir.resolve("nodata.zip"), Archives.entries("model.onnx", externalModelBytes));

        InvalidModelException e = assertProblem(() -> new ModelReader().read(bundle),
                ModelProblem.EXTERNAL_DATA_MISSING, "weights.bin");
        assertThat(e.getMessage()).contains(original.getGraph().getInitializer(0).getName());
    }

    @Test
    void refusesAMissingDataFileNextToAPlainModel() throws IOException {
        Files.write(dir.resolve("model.onnx"), externalModelBytes);

        assertProblem(() -> new ModelReader().read(dir.resolve("model.onnx")),
                ModelProblem.EXTERNAL_DATA_MISSING, "weights.bin");
    }

    @Test
    void refusesADataFileTooShortForTheDeclaredRange() {
        byte[] truncated = java.util.Arrays.copyOf(weights, weights.length - 100);
        Path bundle = Archives.zip(dir.resolve("short.zip"),
                Archives.entries("model.onnx", externalModelBytes, "weights.bin", truncated));

        assertProblem(() -> new ModelReader().read(bundle), ModelProblem.EXTERNAL_DATA_MISSING, "weights.bin");
    }

    @Test
    void refusesARangeWhoseEndOverflows() throws IOException {
        TensorProto w = original.getGraph().getInitializer(0);
        TensorProto ext = Protos.external(w.toBuilder().clearRawData().build(), "weights.bin", 1, Long.MAX_VALUE);
        Files.write(dir.resolve("m.onnx"), ModelWriter.toBytes(
                original.toBuilder().setGraph(original.getGraph().toBuilder().setInitializer(0, ext)).build()));
        Files.write(dir.resolve("weights.bin"), weights);

        assertProblem(() -> new ModelReader().read(dir.resolve("m.onnx")),
                ModelProblem.EXTERNAL_DATA_MISSING, w.getName());
    }

    @Test
    void refusesAnExternalTensorWithoutLocation() throws IOException {
        TensorProto w = original.getGraph().getInitializer(0);
        TensorProto ext = w.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL).build();
        Files.write(dir.resolve("m.onnx"), ModelWriter.toBytes(
                original.toBuilder().setGraph(original.getGraph().toBuilder().setInitializer(0, ext)).build()));

        assertProblem(() -> new ModelReader().read(dir.resolve("m.onnx")),
                ModelProblem.EXTERNAL_DATA_MISSING, w.getName());
    }

    @Test
    void refusesANonNumericOffset() throws IOException {
        TensorProto w = original.getGraph().getInitializer(0);
        TensorProto ext = w.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(Protos.kv("location", "weights.bin"))
                .addExternalData(Protos.kv("offset", "twelve")).build();
        Files.write(dir.resolve("m.onnx"), ModelWriter.toBytes(
                original.toBuilder().setGraph(original.getGraph().toBuilder().setInitializer(0, ext)).build()));
        Files.write(dir.resolve("weights.bin"), weights);

        assertProblem(() -> new ModelReader().read(dir.resolve("m.onnx")), ModelProblem.EXTERNAL_DATA_MISSING, "twelve");
    }

    // ---------------------------------------------------------------- broken and oversized bundles

    @Test
    void refusesAZipEntryCompressedWithZstd() throws IOException {
        byte[] bytes = Files.readAllBytes(Archives.zip(dir.resolve("bundle.zip"),
                Archives.entries("model.onnx", externalModelBytes, "weights.bin", weights)));
        // the first local header's compression method (offset 8, little-endian) becomes 93, zstd
        bytes[8] = 93;
        bytes[9] = 0;
        Path zstd = Files.write(dir.resolve("zstd.zip"), bytes);

        assertProblem(() -> new ModelReader().read(zstd), ModelProblem.BUNDLE_INVALID, "method (93)");
    }

    @Test
    void refusesABundleWithoutAnOnnxFile() {
        Path zip = Archives.zip(dir.resolve("empty.zip"), Archives.entries("weights.bin", weights, "README", new byte[] {1}));
        Path tar = Archives.tarGz(dir.resolve("empty.tgz"), Archives.entries("weights.bin", weights));

        assertProblem(() -> new ModelReader().read(zip), ModelProblem.BUNDLE_INVALID, ".onnx");
        assertProblem(() -> new ModelReader().read(tar), ModelProblem.BUNDLE_INVALID, ".onnx");
    }

    @Test
    void refusesAZipWithoutAnyEntry() {
        Path zip = Archives.zip(dir.resolve("nothing.zip"), Archives.entries());

        assertProblem(() -> new ModelReader().read(zip), ModelProblem.BUNDLE_INVALID, ".onnx");
    }

    @Test
    void refusesABundleWithSeveralModelsAndNoModelOnnxAtItsRoot() {
        Path zip = Archives.zip(dir.resolve("two.zip"), Archives.entries(
                "a.onnx", originalBytes, "b/model.onnx", originalBytes));

        assertProblem(() -> new ModelReader().read(zip), ModelProblem.BUNDLE_INVALID, "2 .onnx files");
    }

    @Test
    void prefersModelOnnxAtTheRootAmongSeveralModels() {
        byte[] other = ModelWriter.toBytes(TestGraphs.flattenGemm().build(13));
        Path zip = Archives.zip(dir.resolve("two.zip"), Archives.entries(
                "other.onnx", other, "model.onnx", externalModelBytes, "weights.bin", weights));

        assertSameTensors(new ModelReader().read(zip));
    }

    @Test
    void refusesAnArchiveThatDoesNotUnpack() throws IOException {
        byte[] gzipHeaderThenGarbage = {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        Path bad = Files.write(dir.resolve("bad.tgz"), gzipHeaderThenGarbage);

        assertProblem(() -> new ModelReader().read(bad), ModelProblem.BUNDLE_INVALID, "does not unpack");
    }

    @Test
    void refusesAZipBombBeforeItFillsTheDisk() throws IOException {
        long limit = 4L << 20;
        String unique = "bomb-" + UUID.randomUUID() + ".bin";
        Path bomb = Archives.zipOfZeros(dir.resolve("bomb.zip"), "model.onnx", originalBytes, unique, 64L << 20);
        assertThat(Files.size(bomb)).as("the bomb itself is small").isLessThan(limit);

        assertProblem(() -> new ModelReader(ModelLimits.defaults().withMaxBytes(limit)).read(bomb),
                ModelProblem.MODEL_TOO_LARGE, Long.toString(limit));
        assertNothingNamed(unique);
    }

    @Test
    void countsTheSumOfAllEntriesAgainstTheLimit() {
        byte[] half = new byte[600_000];
        Path zip = Archives.zip(dir.resolve("sum.zip"), Archives.entries(
                "model.onnx", originalBytes, "a.bin", half, "b.bin", half));

        assertProblem(() -> new ModelReader(ModelLimits.defaults().withMaxBytes(1_000_000)).read(zip),
                ModelProblem.MODEL_TOO_LARGE, "1000000");
        assertThat(new ModelReader(ModelLimits.defaults().withMaxBytes(2_000_000)).read(zip))
                .isEqualTo(original);
    }

    @Test
    void countsExternalDataAgainstTheLimit() throws IOException {
        Files.write(dir.resolve("model.onnx"), externalModelBytes);
        Files.write(dir.resolve("weights.bin"), weights);
        long limit = externalModelBytes.length + 1000L;
        assertThat(weights.length).isGreaterThan(1000);

        assertProblem(() -> new ModelReader(ModelLimits.defaults().withMaxBytes(limit)).read(dir.resolve("model.onnx")),
                ModelProblem.MODEL_TOO_LARGE, Long.toString(limit));
    }

    @Test
    void removesItsTemporaryDirectoryAfterReadingAndAfterRefusing() throws IOException {
        String unique = "marker-" + UUID.randomUUID() + ".bin";
        Path good = Archives.zip(dir.resolve("good.zip"), Archives.entries(
                "model.onnx", externalModelBytes, "weights.bin", weights, unique, new byte[] {1}));
        Path bad = Archives.zip(dir.resolve("bad.zip"), Archives.entries(
                "model.onnx", externalModelBytes, unique, new byte[] {1}));

        new ModelReader().read(good);
        assertNothingNamed(unique);
        assertThatThrownBy(() -> new ModelReader().read(bad)).isInstanceOf(InvalidModelException.class);
        assertNothingNamed(unique);
    }

    // ---------------------------------------------------------------- helpers

    /** The external model with the first initializer's location replaced. */
    private static ModelProto relocated(String location) {
        var graph = external.getGraph().toBuilder();
        TensorProto first = graph.getInitializer(0);
        graph.setInitializer(0, Protos.external(first, location, 0, first.getDimsList().stream()
                .reduce(1L, Math::multiplyExact) * 4));
        return external.toBuilder().setGraph(graph).build();
    }

    private static void assertSameTensors(ModelProto read) {
        assertThat(read.getGraph().getInitializerCount()).isEqualTo(original.getGraph().getInitializerCount());
        for (int i = 0; i < original.getGraph().getInitializerCount(); i++) {
            TensorProto expected = original.getGraph().getInitializer(i);
            TensorProto actual = read.getGraph().getInitializer(i);
            assertThat(actual.getName()).isEqualTo(expected.getName());
            assertThat(actual.getDimsList()).isEqualTo(expected.getDimsList());
            assertThat(actual.getDataType()).isEqualTo(expected.getDataType());
            assertThat(actual.getDataLocation()).isEqualTo(TensorProto.DataLocation.DEFAULT);
            assertThat(actual.getExternalDataList()).isEmpty();
            assertThat(actual.getRawData()).as(expected.getName()).isEqualTo(expected.getRawData());
            if (TensorValues.elementType(expected).isFloating()) {
                assertThat(TensorValues.floats(actual)).containsExactly(TensorValues.floats(expected));
            }
        }
        assertThat(read.getGraph().getNodeList()).isEqualTo(original.getGraph().getNodeList());
    }

    private static InvalidModelException assertProblem(Runnable read, ModelProblem problem, String culprit) {
        try {
            read.run();
        } catch (InvalidModelException e) {
            assertThat(e.problem()).as("problem of: %s", e.getMessage()).isEqualTo(problem);
            assertThat(e.code()).isEqualTo(problem.name());
            assertThat(e.getMessage()).contains(culprit);
            return e;
        }
        throw new AssertionError("expected " + problem + " but the model was read");
    }

    private static Path tmp() {
        return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    }

    /** No file of this (unique) name exists in the temp directory, one level above it, or in any bundle dir. */
    private static void assertNothingNamed(String unique) throws IOException {
        Path tmp = tmp();
        assertThat(tmp.resolve(unique)).doesNotExist();
        if (tmp.getParent() != null) {
            assertThat(tmp.getParent().resolve(unique)).doesNotExist();
        }
        try (Stream<Path> walk = Files.walk(tmp, 3)) {
            assertThat(walk.filter(p -> p.getFileName() != null && p.getFileName().toString().equals(unique)))
                    .isEmpty();
        } catch (java.io.UncheckedIOException ignored) {
            // another process removed a directory while we walked; the direct checks above still hold
        }
    }
}
