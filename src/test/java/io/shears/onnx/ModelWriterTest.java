package io.shears.onnx;

import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.shears.testing.OnnxGraphBuilder;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Deterministic, atomic writing, and byte-for-byte survival of everything Shears does not touch. */
class ModelWriterTest {
    private static final int UNKNOWN_MODEL_FIELD = 1000;
    private static final int UNKNOWN_GRAPH_FIELD = 999;
    private static final int UNKNOWN_NODE_FIELD = 500;
    private static final int UNKNOWN_TENSOR_FIELD = 777;
    private static final int UNKNOWN_VALUE_INFO_FIELD = 321;

    @TempDir
    Path dir;

    static Stream<Arguments> factories() {
        return Stream.of(
                Arguments.of("resnetBasicBlocks", (Supplier<OnnxGraphBuilder>) TestGraphs::resnetBasicBlocks),
                Arguments.of("resnetBottleneck", (Supplier<OnnxGraphBuilder>) TestGraphs::resnetBottleneck),
                Arguments.of("mobilenetInvertedResidual",
                        (Supplier<OnnxGraphBuilder>) TestGraphs::mobilenetInvertedResidual),
                Arguments.of("denseNetConcat", (Supplier<OnnxGraphBuilder>) TestGraphs::denseNetConcat),
                Arguments.of("squeezeExcitation", (Supplier<OnnxGraphBuilder>) TestGraphs::squeezeExcitation),
                Arguments.of("splitAndSlice", (Supplier<OnnxGraphBuilder>) TestGraphs::splitAndSlice),
                Arguments.of("depthwiseSeparable", (Supplier<OnnxGraphBuilder>) TestGraphs::depthwiseSeparable),
                Arguments.of("flattenGemm", (Supplier<OnnxGraphBuilder>) TestGraphs::flattenGemm),
                Arguments.of("sharedWeights", (Supplier<OnnxGraphBuilder>) TestGraphs::sharedWeights),
                Arguments.of("paddleConstantWeights", (Supplier<OnnxGraphBuilder>) TestGraphs::paddleConstantWeights),
                Arguments.of("identityAliasedWeights",
                        (Supplier<OnnxGraphBuilder>) TestGraphs::identityAliasedWeights),
                Arguments.of("channelConstantOps", (Supplier<OnnxGraphBuilder>) TestGraphs::channelConstantOps),
                Arguments.of("groupedConv", (Supplier<OnnxGraphBuilder>) TestGraphs::groupedConv),
                Arguments.of("activationZoo", (Supplier<OnnxGraphBuilder>) TestGraphs::activationZoo),
                Arguments.of("shapeOpsZoo", (Supplier<OnnxGraphBuilder>) TestGraphs::shapeOpsZoo));
    }

    @Test
    void aModelWithFieldsShearsDoesNotKnowSurvivesReadAndWriteByteForByte() throws IOException {
        ModelProto rich = richModel();
        byte[] written = ModelWriter.toBytes(rich);
        Path file = Files.write(dir.resolve("rich.onnx"), written);

        ModelProto read = new ModelReader().read(file);
        Path again = dir.resolve("again.onnx");
        ModelWriter.write(read, again);

        assertThat(Files.readAllBytes(again)).isEqualTo(written);
        assertThat(ModelWriter.toBytes(read)).isEqualTo(written);
    }

    @Test
    void unknownFieldsAreKeptAtEveryLevel() throws IOException {
        Path file = Files.write(dir.resolve("rich.onnx"), ModelWriter.toBytes(richModel()));

        ModelProto read = new ModelReader().read(file);

        assertThat(read.getUnknownFields().hasField(UNKNOWN_MODEL_FIELD)).isTrue();
        assertThat(read.getUnknownFields().getField(UNKNOWN_MODEL_FIELD).getVarintList()).containsExactly(42L);
        assertThat(read.getGraph().getUnknownFields().getField(UNKNOWN_GRAPH_FIELD).getLengthDelimitedList())
                .containsExactly(ByteString.copyFromUtf8("graph extension"));
        assertThat(read.getGraph().getNode(0).getUnknownFields().getField(UNKNOWN_NODE_FIELD).getFixed32List())
                .containsExactly(0xCAFE);
        assertThat(read.getGraph().getInitializer(0).getUnknownFields().getField(UNKNOWN_TENSOR_FIELD)
                .getLengthDelimitedList()).containsExactly(ByteString.copyFrom(new byte[] {1, 2, 3}));
        assertThat(read.getGraph().getValueInfo(0).getUnknownFields().hasField(UNKNOWN_VALUE_INFO_FIELD)).isTrue();
        assertThat(read.getMetadataPropsList()).extracting(p -> p.getKey() + "=" + p.getValue())
                .containsExactly("author=shears tests", "license=Apache-2.0", "zeta=last", "alpha=first");
        assertThat(read.getGraph().getNodeList()).anySatisfy(n -> {
            assertThat(n.getDomain()).isEqualTo("com.example");
            assertThat(n.getOpType()).isEqualTo("Scale");
            assertThat(n.getDocString()).isEqualTo("a custom op");
        });
        assertThat(read.getFunctionsList()).extracting(FunctionProto::getName).containsExactly("Scale");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void everyTestGraphRoundTripsByteForByte(String name, Supplier<OnnxGraphBuilder> factory) throws IOException {
        OnnxGraphBuilder builder = factory.get();
        byte[] written = ModelWriter.toBytes(builder.build(Math.max(14, builder.minimumOpset())));
        Path file = Files.write(dir.resolve("m.onnx"), written);

        assertThat(ModelWriter.toBytes(new ModelReader().read(file))).isEqualTo(written);
    }

    @Test
    void theSameModelGivesTheSameBytesEveryTimeAndEveryWay() throws IOException {
        ModelProto model = richModel();
        byte[] first = ModelWriter.toBytes(model);
        byte[] second = ModelWriter.toBytes(richModel());
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        ModelWriter.write(model, stream);
        ModelWriter.write(model, dir.resolve("a.onnx"));
        ModelWriter.write(ModelProto.parseFrom(first), dir.resolve("b.onnx"));

        assertThat(second).isEqualTo(first);
        assertThat(stream.toByteArray()).isEqualTo(first);
        assertThat(Files.readAllBytes(dir.resolve("a.onnx"))).isEqualTo(first);
        assertThat(Files.readAllBytes(dir.resolve("b.onnx"))).isEqualTo(first);
        assertThat(ModelProto.parseFrom(first)).isEqualTo(model);
    }

    @Test
    void writesAtomicallyReplacingTheTargetAndLeavingNoTemporaryFile() throws IOException {
        Path target = dir.resolve("nested/deeper/model.onnx");
        ModelWriter.write(TestGraphs.flattenGemm().build(13), target);
        byte[] second = ModelWriter.toBytes(TestGraphs.groupedConv().build(13));

        ModelWriter.write(ModelProto.parseFrom(second), target);

        assertThat(Files.readAllBytes(target)).isEqualTo(second);
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertThat(files).containsExactly(target);
        }
    }

    // ---------------------------------------------------------------- the rich fixture

    /** resnetBasicBlocks plus metadata, doc strings, a custom-domain node with value_info, a function, unknown fields. */
    static ModelProto richModel() {
        ModelProto base = TestGraphs.resnetBasicBlocks().build(13);
        GraphProto.Builder g = base.getGraph().toBuilder();
        String stem = g.getNode(2).getOutput(0);
        g.addNode(NodeProto.newBuilder().setName("custom_scale").setOpType("Scale").setDomain("com.example")
                .addInput(stem).addOutput("custom_out").setDocString("a custom op")
                .addAttribute(Protos.attr("factor", 0.5f)).addAttribute(Protos.attr("mode", "fancy")));
        g.addValueInfo(Protos.floatInfo("custom_out", Protos.DYNAMIC, 16, 16, 16).toBuilder()
                .setDocString("declared by the exporter")
                .setUnknownFields(unknown(UNKNOWN_VALUE_INFO_FIELD, UnknownFieldSet.Field.newBuilder()
                        .addVarint(7).build())));
        g.addOutput(Protos.floatInfo("custom_out", Protos.DYNAMIC, 16, 16, 16));
        g.setDocString("graph documentation");
        g.setNode(0, g.getNode(0).toBuilder().setDocString("first node").setUnknownFields(
                unknown(UNKNOWN_NODE_FIELD, UnknownFieldSet.Field.newBuilder().addFixed32(0xCAFE).build())));
        TensorProto w = g.getInitializer(0);
        g.setInitializer(0, w.toBuilder().setDocString("the stem weight").setUnknownFields(
                unknown(UNKNOWN_TENSOR_FIELD, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFrom(new byte[] {1, 2, 3})).build())));
        g.setUnknownFields(unknown(UNKNOWN_GRAPH_FIELD, UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFromUtf8("graph extension")).build()));
        FunctionProto function = FunctionProto.newBuilder().setName("Scale").setDomain("com.example")
                .addInput("x").addOutput("y").addAttribute("factor")
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("y"))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setDocString("y = x * factor").build();
        return base.toBuilder()
                .setGraph(g)
                .setDocString("a model with everything")
                .setDomain("io.shears.tests")
                .setModelVersion(3)
                .setProducerVersion("1.2.3")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.example").setVersion(1))
                .addAllMetadataProps(List.of(Protos.kv("author", "shears tests"), Protos.kv("license", "Apache-2.0"),
                        Protos.kv("zeta", "last"), Protos.kv("alpha", "first")))
                .addFunctions(function)
                .setUnknownFields(unknown(UNKNOWN_MODEL_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(42).build()))
                .build();
    }

    private static UnknownFieldSet unknown(int number, UnknownFieldSet.Field field) {
        return UnknownFieldSet.newBuilder().addField(number, field).build();
    }

    @Test
    void theRichFixtureReallyCarriesItsExtras() {
        ModelProto rich = richModel();
        ValueInfoProto declared = rich.getGraph().getValueInfo(0);

        assertThat(declared.getName()).isEqualTo("custom_out");
        assertThat(rich.getUnknownFields().asMap()).containsKey(UNKNOWN_MODEL_FIELD);
        assertThat(ModelWriter.toBytes(rich).length).isGreaterThan(ModelWriter.toBytes(
                TestGraphs.resnetBasicBlocks().build(13)).length + 100);
    }
}
