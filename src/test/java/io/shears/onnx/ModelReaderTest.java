package io.shears.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Plain .onnx files: weights as initializers or Constant nodes, and every way a file can be refused. */
class ModelReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsInitializerWeightsExactlyAsWritten() throws IOException {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        Path file = Files.write(dir.resolve("resnet.onnx"), model.toByteArray());

        ModelProto read = new ModelReader().read(file);

        assertThat(read).isEqualTo(model);
        assertThat(read.getGraph().getInitializerCount()).isGreaterThan(10);
        long[] shape = TestGraphs.inputShape(2);
        float[] input = OrtRunner.randomInput(11, shape);
        assertThat(OrtRunner.run(ModelWriter.toBytes(read), input, shape))
                .containsExactly(OrtRunner.run(model.toByteArray(), input, shape));
    }

    @Test
    void readsConstantNodeWeightsAsPaddleExportsThem() throws IOException {
        ModelProto model = TestGraphs.paddleConstantWeights().build(13);
        assertThat(model.getGraph().getInitializerCount()).isZero();
        Path file = Files.write(dir.resolve("paddle.onnx"), model.toByteArray());

        ModelProto read = new ModelReader().read(file);

        assertThat(read).isEqualTo(model);
        List<NodeProto> constants = read.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Constant")).toList();
        assertThat(constants).hasSizeGreaterThan(5).allSatisfy(n ->
                assertThat(TensorValues.floats(n.getAttribute(0).getT())).isNotEmpty());
        long[] shape = TestGraphs.inputShape(1);
        float[] input = OrtRunner.randomInput(12, shape);
        assertThat(OrtRunner.run(ModelWriter.toBytes(read), input, shape))
                .containsExactly(OrtRunner.run(model.toByteArray(), input, shape));
    }

    @Test
    void aMissingFileIsAnIoErrorNotAModelProblem() {
        assertThatThrownBy(() -> new ModelReader().read(dir.resolve("absent.onnx")))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("absent.onnx");
    }

    // ---------------------------------------------------------------- unparseable

    @Test
    void refusesRandomBytes() throws IOException {
        byte[] noise = new byte[4096];
        new SplittableRandom(1).nextBytes(noise);
        noise[0] = 0x7a; // neither a zip nor a gzip signature, so it is parsed as protobuf
        Path file = Files.write(dir.resolve("noise.onnx"), noise);

        assertProblem(file, new ModelReader(), ModelProblem.MODEL_UNPARSEABLE, "not an ONNX model");
    }

    @Test
    void refusesTextThatIsNotProtobuf() throws IOException {
        Path file = Files.writeString(dir.resolve("text.onnx"), "this is not an onnx model\n".repeat(20));

        assertProblem(file, new ModelReader(), ModelProblem.MODEL_UNPARSEABLE, "not an ONNX model");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.9, 0.999})
    void refusesATruncatedFile(double keep) throws IOException {
        byte[] full = ModelWriter.toBytes(TestGraphs.resnetBasicBlocks().build(13));
        Path file = Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(full, (int) (full.length * keep)));

        assertProblem(file, new ModelReader(), ModelProblem.MODEL_UNPARSEABLE, "not an ONNX model");
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        Path file = Files.write(dir.resolve("empty.onnx"), new byte[0]);

        assertProblem(file, new ModelReader(), ModelProblem.MODEL_UNPARSEABLE, "holds no graph with nodes");
    }

    @Test
    void refusesValidProtobufWithoutAGraph() throws IOException {
        ModelProto noGraph = ModelProto.newBuilder().setIrVersion(8).setProducerName("x").build();
        ModelProto emptyGraph = noGraph.toBuilder().setGraph(GraphProto.newBuilder().setName("g")).build();

        assertProblem(Files.write(dir.resolve("a.onnx"), noGraph.toByteArray()), new ModelReader(),
                ModelProblem.MODEL_UNPARSEABLE, "holds no graph with nodes");
        assertProblem(Files.write(dir.resolve("b.onnx"), emptyGraph.toByteArray()), new ModelReader(),
                ModelProblem.MODEL_UNPARSEABLE, "holds no graph with nodes");
    }

    @Test
    void refusesATensorWhoseDataDisagreesWithItsShape() throws IOException {
        ModelProto model = TestGraphs.flattenGemm().build(13);
        TensorProto w = model.getGraph().getInitializer(0);
        TensorProto shortened = w.toBuilder().setRawData(w.getRawData().substring(0, w.getRawData().size() - 4)).build();
        TensorProto ragged = w.toBuilder().setRawData(w.getRawData().concat(ByteString.copyFrom(new byte[2]))).build();

        for (TensorProto bad : List.of(shortened, ragged)) {
            ModelProto broken = model.toBuilder()
                    .setGraph(model.getGraph().toBuilder().setInitializer(0, bad)).build();
            Path file = Files.write(dir.resolve("bad.onnx"), broken.toByteArray());
            assertProblem(file, new ModelReader(), ModelProblem.MODEL_UNPARSEABLE, w.getName());
        }
    }

    @Test
    void refusesTypedStorageWithTheWrongCount() throws IOException {
        ModelProto model = withInitializer(Protos.typedFloats("typed.w", new long[] {2, 3}, 1, 2, 3, 4, 5));

        assertProblem(Files.write(dir.resolve("m.onnx"), model.toByteArray()), new ModelReader(),
                ModelProblem.MODEL_UNPARSEABLE, "typed.w");
    }

    // ---------------------------------------------------------------- limits

    @Test
    void refusesAFileLargerThanTheLimit() throws IOException {
        byte[] bytes = ModelWriter.toBytes(TestGraphs.resnetBasicBlocks().build(13));
        Path file = Files.write(dir.resolve("big.onnx"), bytes);

        assertProblem(file, new ModelReader(ModelLimits.defaults().withMaxBytes(1024)), ModelProblem.MODEL_TOO_LARGE,
                Integer.toString(bytes.length));
        assertThat(new ModelReader(ModelLimits.defaults().withMaxBytes(bytes.length)).read(file)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, -3, (1L << 24) + 1, Long.MAX_VALUE})
    void refusesAnInitializerWithAnAbsurdDimension(long dim) throws IOException {
        TensorProto absurd = Protos.tensor("huge.w", Protos.FLOAT, new long[] {dim}).setRawData(
                ByteString.copyFrom(new byte[16])).build();
        Path file = Files.write(dir.resolve("m.onnx"), withInitializer(absurd).toByteArray());

        InvalidModelException e = assertProblem(file, new ModelReader(), ModelProblem.ABSURD_DIMENSION, "huge.w");
        assertThat(e.getMessage()).contains(Long.toString(dim));
    }

    @Test
    void refusesTooManyElementsEvenWhenEachDimensionIsAllowed() throws IOException {
        TensorProto wide = Protos.tensor("wide.w", Protos.FLOAT, new long[] {1 << 16, 1 << 16})
                .setRawData(ByteString.copyFrom(new byte[8])).build();
        Path file = Files.write(dir.resolve("m.onnx"), withInitializer(wide).toByteArray());

        assertProblem(file, new ModelReader(), ModelProblem.ABSURD_DIMENSION, "wide.w");
    }

    @Test
    void refusesAnAbsurdConstantNodeTensor() throws IOException {
        ModelProto model = TestGraphs.paddleConstantWeights().build(13);
        GraphProto.Builder g = model.getGraph().toBuilder();
        int index = 0;
        while (!g.getNode(index).getOpType().equals("Constant")) {
            index++;
        }
        NodeProto.Builder node = g.getNodeBuilder(index);
        String nodeName = node.getName();
        node.getAttributeBuilder(0).getTBuilder().clearDims().addDims(1L << 40);
        Path file = Files.write(dir.resolve("m.onnx"), model.toBuilder().setGraph(g).build().toByteArray());

        assertProblem(file, new ModelReader(), ModelProblem.ABSURD_DIMENSION, nodeName);
    }

    // ---------------------------------------------------------------- structure

    @ParameterizedTest
    @ValueSource(longs = {1L << 62, 0, -1, ModelReader.MAX_VERSION + 1})
    void refusesAnOpsetOutOfRange(long opset) throws IOException {
        ModelProto model = TestGraphs.flattenGemm().build(13);
        ModelProto absurd = model.toBuilder().setOpsetImport(0, model.getOpsetImport(0).toBuilder().setVersion(opset))
                .build();
        Path file = Files.write(dir.resolve("m.onnx"), absurd.toByteArray());

        InvalidModelException e = assertProblem(file, new ModelReader(), ModelProblem.VERSION_OUT_OF_RANGE,
                "opset of domain 'ai.onnx'");
        assertThat(e.getMessage()).contains(Long.toString(opset));
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 62, 0, -5})
    void refusesAnIrVersionOutOfRange(long irVersion) throws IOException {
        ModelProto absurd = TestGraphs.flattenGemm().build(13).toBuilder().setIrVersion(irVersion).build();
        Path file = Files.write(dir.resolve("m.onnx"), absurd.toByteArray());

        InvalidModelException e = assertProblem(file, new ModelReader(), ModelProblem.VERSION_OUT_OF_RANGE,
                "IR version");
        assertThat(e.getMessage()).contains(Long.toString(irVersion));
    }

    @Test
    void refusesAGraphWithoutInputs() throws IOException {
        TensorProto constant = Protos.rawFloats("c", new long[] {1, 2}, 1, 2);
        GraphProto constantOnly = Protos.graph("g", List.of(), List.of(Protos.floatInfo("y", 1, 2)))
                .addNode(Protos.constant(constant))
                .addNode(Protos.node("relu", "Relu", List.of("c"), List.of("y"))).build();
        assertProblem(Files.write(dir.resolve("a.onnx"), Protos.model(13, constantOnly).toByteArray()),
                new ModelReader(), ModelProblem.NO_GRAPH_INPUTS, "no inputs");

        // Old exporters list initializers among the inputs; those are weights, not something a caller feeds.
        GraphProto weightsOnly = Protos.graph("g", List.of(Protos.floatInfo("c", 1, 2)),
                        List.of(Protos.floatInfo("y", 1, 2)))
                .addInitializer(constant)
                .addNode(Protos.node("relu", "Relu", List.of("c"), List.of("y"))).build();
        assertProblem(Files.write(dir.resolve("b.onnx"), Protos.model(13, weightsOnly).toByteArray()),
                new ModelReader(), ModelProblem.NO_GRAPH_INPUTS, "no inputs");
    }

    @ParameterizedTest(name = "input {0}, {1} filters: {2}, {3}")
    @CsvSource({
            "3x8x8, 0, initializer 'w', axis 0",   // a Conv with no output channels
            "0x8x8, 4, input 'x', axis 1",         // an input with no channels
            "3x0x8, 4, input 'x', axis 2"})
    void refusesAZeroWidthTensor(String chw, long filters, String culprit, String axis) throws IOException {
        long[] shape = Stream.concat(Stream.of("1"), Arrays.stream(chw.split("x"))).mapToLong(Long::parseLong)
                .toArray();
        Path file = Files.write(dir.resolve("m.onnx"), convModel(shape, filters).toByteArray());

        InvalidModelException e = assertProblem(file, new ModelReader(), ModelProblem.ZERO_WIDTH_TENSOR, culprit);
        assertThat(e.getMessage()).contains(axis);
    }

    @Test
    void acceptsAnEmptyVectorAsAnAbsentOptionalInput() throws IOException {
        ModelProto model = withInitializer(Protos.rawFloats("roi", new long[] {0}));
        Path file = Files.write(dir.resolve("m.onnx"), model.toByteArray());

        assertThat(new ModelReader().read(file)).isEqualTo(model);
        assertThat(new ModelReader().read(Files.write(dir.resolve("c.onnx"),
                convModel(new long[] {1, 3, 8, 8}, 4).toByteArray()))).isNotNull();
    }

    // ---------------------------------------------------------------- helpers

    /** flattenGemm with one extra, unused initializer. */
    private static ModelProto withInitializer(TensorProto extra) {
        ModelProto model = TestGraphs.flattenGemm().build(13);
        return model.toBuilder().setGraph(model.getGraph().toBuilder().addInitializer(extra)).build();
    }

    /** One 3×3 Conv with {@code outChannels} filters over an input of the given shape. */
    private static ModelProto convModel(long[] inputShape, long outChannels) {
        long[] weightShape = {outChannels, inputShape[1], 3, 3};
        GraphProto graph = Protos.graph("conv", List.of(Protos.floatInfo("x", inputShape)),
                        List.of(Protos.floatInfo("y")))
                .addInitializer(Protos.randomFloats("w", 3, weightShape))
                .addNode(Protos.node("conv", "Conv", List.of("x", "w"), List.of("y"),
                        Protos.ints("kernel_shape", 3, 3))).build();
        return Protos.model(13, graph);
    }

    static InvalidModelException assertProblem(Path file, ModelReader reader, ModelProblem problem, String culprit) {
        try {
            reader.read(file);
        } catch (InvalidModelException e) {
            assertThat(e.problem()).as("problem of: %s", e.getMessage()).isEqualTo(problem);
            assertThat(e.code()).isEqualTo(problem.name());
            assertThat(e.getMessage()).contains(culprit);
            return e;
        }
        throw new AssertionError("expected " + problem + " but " + file.getFileName() + " was read");
    }
}
