package io.shears.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.conformance.Fixtures;
import io.shears.onnx.ModelWriter;
import io.shears.testing.OnnxGraphBuilder;
import io.shears.testing.OrtRunner;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which channels are coupled and which are frozen, and why, on graphs built for one structure each. */
class ChannelAnalyzerTest {
    private static ChannelGroup group(ChannelAnalysis a, String name) {
        return a.groups().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void filtersScopeKeepsTheResidualStreamAndPrunesInsideBlocks() throws Exception {
        ModelProto m = SurgeryProofTest.build("resnetBasicBlocks");
        ChannelAnalysis filters = Pruner.analyze(m, PruningOptions.defaults());
        assertThat(filters.prunableGroups()).extracting(ChannelGroup::name).containsExactly("conv1", "conv3");
        assertThat(group(filters, "conv0").frozenReasons()).anyMatch(r -> r.startsWith("residual Add 'add0'"));
        ChannelAnalysis channels = Pruner.analyze(m, PruningOptions.defaults().withScope(Scope.CHANNELS));
        assertThat(channels.prunableGroups()).extracting(ChannelGroup::name).containsExactly("conv0", "conv1", "conv3", "conv4");
        assertThat(group(channels, "gemm0").frozenReasons()).containsExactly("reaches the graph output 'gemm0_out'");
    }

    @Test
    void filtersScopePrunesAnMlpsHiddenWidthButNotTheStreamOrTheClassifiersFeatures() throws Exception {
        ChannelAnalysis filters = Pruner.analyze(SurgeryProofTest.build("tokenMlpBlock"), PruningOptions.defaults());
        assertThat(filters.prunableGroups()).extracting(ChannelGroup::name).containsExactly("matmul0");
        assertThat(group(filters, "matmul0").members()).containsExactly("matmul0:matmul0.weight[1]",
                "matmul1:matmul1.weight[0]");
        assertThat(group(filters, "conv0").frozenReasons()).anyMatch(r -> r.startsWith("residual Add 'add0'"));

        ChannelAnalysis channels = Pruner.analyze(SurgeryProofTest.build("tokenMlpBlock"),
                PruningOptions.defaults().withScope(Scope.CHANNELS));
        assertThat(channels.prunableGroups()).extracting(ChannelGroup::name).containsExactly("conv0", "matmul0");
    }

    @Test
    void filtersScopePrunesAClassifierMlpsHiddenWidthButNotItsInputsOrTheLastLayersInputs() throws Exception {
        ChannelAnalysis filters = Pruner.analyze(SurgeryProofTest.build("classifierMlp"), PruningOptions.defaults());
        assertThat(filters.prunableGroups()).extracting(ChannelGroup::name).containsExactly("gemm0");
        assertThat(group(filters, "conv0").frozenReasons())
                .containsExactly("features feeding the classifier 'gemm0' (Gemm) keep their width (scope filters)");
        assertThat(group(filters, "gemm1").frozenReasons())
                .containsExactly("features feeding the classifier 'gemm2' (Gemm) keep their width (scope filters)");

        ChannelAnalysis channels = Pruner.analyze(SurgeryProofTest.build("classifierMlp"),
                PruningOptions.defaults().withScope(Scope.CHANNELS));
        assertThat(channels.prunableGroups()).extracting(ChannelGroup::name).containsExactly("conv0", "gemm0", "gemm1");
    }

    @Test
    void flattenGivesEachChannelItsBlockOfGemmFeatures() throws Exception {
        ChannelAnalysis a = Pruner.analyze(SurgeryProofTest.build("flattenGemm"), PruningOptions.defaults().withScope(Scope.CHANNELS));
        String flattened = a.graph().nodes().stream().filter(n -> n.op().equals("Flatten")).findFirst().orElseThrow().output(0);
        int[] channels = a.channelsOf(flattened);
        assertThat(channels).hasSize(16 * 4 * 4);
        int[] conv = a.channelsOf("conv1_out");
        for (int f = 0; f < channels.length; f++) {
            assertThat(channels[f]).isEqualTo(conv[f / 16]);
        }
    }

    @Test
    void concatMapsOffsetsAndSplitCutsRanges() throws Exception {
        ChannelAnalysis a = Pruner.analyze(SurgeryProofTest.build("splitAndSlice"), PruningOptions.defaults().withScope(Scope.CHANNELS));
        ChannelGroup features = group(a, "conv0");
        assertThat(features.segments()).hasSize(3);
        assertThat(features.segments().get(0)).hasSize(6);
        String concat = a.graph().nodes().stream().filter(n -> n.op().equals("Concat")).reduce((x, y) -> y).orElseThrow().output(0);
        int[] joined = a.channelsOf(concat);
        assertThat(joined).hasSize(24);
        assertThat(a.groupOf(joined[0])).isEqualTo(group(a, "conv1").id());
        assertThat(a.groupOf(joined[23])).isEqualTo(group(a, "conv3").id());
    }

    @Test
    void depthwiseChannelsFollowTheirInputAndAMultiplierBundlesOutputs() throws Exception {
        ChannelAnalysis a = Pruner.analyze(SurgeryProofTest.build("depthwiseSeparable"), PruningOptions.defaults().withScope(Scope.CHANNELS));
        assertThat(a.channelsOf("conv1_out")).containsExactly(a.channelsOf("conv0_out"));
        int[] in = a.channelsOf("conv2_out");
        int[] out = a.channelsOf("conv3_out");
        assertThat(out).hasSize(2 * in.length);
        for (int k = 0; k < out.length; k++) {
            assertThat(out[k]).isEqualTo(in[k / 2]);
        }
    }

    @Test
    void anOperatorWithoutAChannelRuleFreezesWhatReachesItByName() throws Exception {
        OnnxGraphBuilder b = new OnnxGraphBuilder("mystery", 1);
        String x = b.input("input", 1, 3, 8, 8);
        String y = b.relu(b.conv(x, 8, 3, 1, 1, 1, true));
        ModelProto built = b.output(b.conv(y, 4, 3, 1, 1, 1, true)).build(13);
        var graph = built.getGraph().toBuilder();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto n = graph.getNode(i);
            if (n.getOpType().equals("Relu")) {
                graph.setNode(i, n.toBuilder().setOpType("MysteryOp").setDomain("com.example"));
                graph.addValueInfo(ValueInfoProto.newBuilder().setName(n.getOutput(0)).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber())
                                .setShape(shape(1, 8, 8, 8)))));
            }
        }
        ModelProto m = built.toBuilder().setGraph(graph).build();
        ChannelAnalysis a = Pruner.analyze(m, PruningOptions.defaults().withScope(Scope.CHANNELS));
        assertThat(group(a, "conv0").frozenReasons())
                .containsExactly("node 'relu0' (MysteryOp): operator 'MysteryOp' has no channel rule");
        assertThat(ModelInspection.of(m, PruningOptions.defaults()).unsupportedOps()).containsExactly("com.example.MysteryOp");
    }

    /**
     * In a ViT every operator has a channel rule; per block, the heads and the MLP's hidden width are prunable. The
     * embedding width is prunable in scope channels where LayerNormalization is one operator (opset 17), and keeps
     * its width with the reason named where an exporter spelled the normalization out (opset 13).
     */
    @Test
    void aVisionTransformersHeadsAndMlpWidthArePrunableAndWhatItCannotTraceIsNamed() {
        for (Fixtures.Fixture vit : Fixtures.transformers().stream().filter(f -> f.arch().equals("vit")).toList()) {
            ModelProto m = vit.model();
            ChannelAnalysis a = Pruner.analyze(m, PruningOptions.defaults().withScope(Scope.CHANNELS));

            assertThat(ModelInspection.of(m, PruningOptions.defaults()).unsupportedOps()).as(vit.name()).isEmpty();
            assertThat(a.frozenGroups()).as(vit.name()).isNotEmpty()
                    .allSatisfy(g -> assertThat(g.frozenReasons()).isNotEmpty());
            assertThat(a.attention()).as(vit.name() + ": one attention per block").hasSize(2)
                    .allSatisfy(block -> assertThat(block.bound()).isTrue());
            List<String> inner = a.prunableGroups().stream().filter(g -> g.renormalizedBy().isEmpty())
                    .map(g -> g.channels() + "x" + g.unitWidth()).toList();
            assertThat(inner).as(vit.name() + ": per block, 4 heads of width 16 and an MLP width of 128")
                    .containsExactly("4x16", "128x1", "4x16", "128x1");
            List<ChannelGroup> stream = a.groups().stream().filter(g -> g.channels() == 64 && g.unitWidth() == 1
                    && g.members().stream().anyMatch(member -> member.contains("conv_proj"))).toList();
            assertThat(stream).as(vit.name() + ": one embedding width, from the patch embedding on").hasSize(1);
            if (vit.opset() >= 17) {
                assertThat(stream.get(0).frozen()).as(vit.name() + ": " + stream.get(0).frozenReasons()).isFalse();
                assertThat(stream.get(0).renormalizedBy()).as("every block's two norms and the final one").hasSize(5);
            } else {
                assertThat(stream.get(0).frozenReasons()).anySatisfy(r -> assertThat(r).contains("ReduceMean"));
            }
        }
    }

    @Test
    void aFusedQkvAttentionPrunesWholeHeadsAndInterleavedHeadsAreKeptWithTheNodeNamed() throws Exception {
        ChannelAnalysis fused = Pruner.analyze(SurgeryProofTest.build("fusedQkvAttention"), PruningOptions.defaults());
        assertThat(fused.attention()).singleElement().satisfies(block -> assertThat(block.bound()).isTrue());
        assertThat(fused.prunableGroups()).as("the heads: 4 channels of width 4, each spanning q, k, v and the "
                + "output projection's inputs").anySatisfy(g -> {
                    assertThat(g.channels()).isEqualTo(4);
                    assertThat(g.unitWidth()).isEqualTo(4);
                    assertThat(g.members()).hasSize(2);
                });

        ChannelAnalysis interleaved = Pruner.analyze(SurgeryProofTest.build("interleavedHeadsAttention"),
                PruningOptions.defaults());
        assertThat(interleaved.attention()).isEmpty();
        assertThat(interleaved.frozenGroups()).anySatisfy(g -> assertThat(g.frozenReasons()).anySatisfy(r ->
                assertThat(r).contains("(Reshape)").contains("splits or mixes the channel axis")));
    }

    @Test
    void tilingOverSpaceKeepsChannelsPrunableAndTilingChannelsKeepsThem() throws Exception {
        ModelProto m = SurgeryProofTest.build("tiledFeatures");
        ChannelAnalysis a = Pruner.analyze(m, PruningOptions.defaults().withScope(Scope.CHANNELS));

        assertThat(group(a, "conv2").frozenReasons()).containsExactly(
                "node 'tile1' (Tile): Tile repeats the channel axis");
        assertThat(a.prunableGroups()).extracting(ChannelGroup::name).contains("conv0");
    }

    @Test
    void einsumKeepsTheChannelsItReads() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("einsum", 1);
        String x = b.input("input", 1, 3, 8, 8);
        String mixed = b.einsum("bchw,bdhw->bcd", b.conv(x, 8, 3, 1, 1, 1, true), b.conv(x, 4, 3, 1, 1, 1, true));
        ModelProto m = b.output(b.flatten(mixed, 1)).build(13);

        ChannelAnalysis a = Pruner.analyze(m, PruningOptions.defaults().withScope(Scope.CHANNELS));

        assertThat(a.prunableGroups()).isEmpty();
        assertThat(group(a, "conv0").frozenReasons()).contains("node 'einsum0' (Einsum): Einsum contracts or moves "
                + "channels in a way Shears does not trace yet");
    }

    /**
     * ConvNeXt's stem reaches a LayerNormalization over channels (after a Transpose): scope filters keeps that width,
     * scope channels cuts it, the norm's scale and bias with it.
     */
    @Test
    void layerNormalizationOverTheEmbeddingWidthIsCutInScopeChannelsOnly() {
        Fixtures.Fixture convnext = Fixtures.transformers().stream()
                .filter(f -> f.arch().equals("convnext") && f.opset() == 17).findFirst().orElseThrow();
        String stem = "/features/features.0/features.0.0/Conv";
        String norm = "/features/features.0/features.0.1/LayerNormalization";

        ChannelAnalysis filters = Pruner.analyze(convnext.model(), PruningOptions.defaults());
        assertThat(group(filters, stem).frozenReasons()).contains("node '" + norm + "' (LayerNormalization): "
                + "LayerNormalization normalizes across the embedding width, which scope filters keeps");

        ChannelAnalysis channels = Pruner.analyze(convnext.model(), PruningOptions.defaults().withScope(Scope.CHANNELS));
        ChannelGroup stream = group(channels, stem);
        assertThat(stream.frozenReasons()).isEmpty();
        assertThat(stream.renormalizedBy()).contains(norm);
        assertThat(stream.members()).anySatisfy(m -> assertThat(m).startsWith(norm + ":"));
    }

    private static TensorShapeProto shape(long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return s.build();
    }

    @Test
    void aLiteralChannelCountInAReshapeIsRewritten() throws Exception {
        OnnxGraphBuilder b = new OnnxGraphBuilder("reshape_literal", 2);
        String x = b.input("input", 1, 3, 8, 8);
        String y = b.relu(b.conv(x, 16, 3, 2, 1, 1, true));
        String flat = b.reshape(y, 1, 16 * 4 * 4);
        ModelProto m = b.output(b.gemm(flat, 10)).build(13);
        PruningResult r = Pruner.prune(m, new Budget.Fraction(0.5),
                PruningOptions.defaults().withScope(Scope.CHANNELS).withRoundTo(1));
        assertThat(r.report().groups()).anyMatch(g -> g.name().equals("conv0") && g.kept() < 16);
        int kept = r.report().groups().stream().filter(g -> g.name().equals("conv0")).findFirst().orElseThrow().kept();
        TensorProto shape = r.model().getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == TensorProto.DataType.INT64.getNumber()).findFirst().orElseThrow();
        assertThat(io.shears.onnx.TensorValues.longs(shape)).containsExactly(1, kept * 16L);
        float[] input = OrtRunner.randomInput(1, 1, 3, 8, 8);
        assertThat(OrtRunner.run(ModelWriter.toBytes(r.model()), input, new long[] {1, 3, 8, 8})).hasSize(10);
    }

    @Test
    void aReshapeThatSplitsTheChannelAxisFreezesIt() throws Exception {
        OnnxGraphBuilder b = new OnnxGraphBuilder("channel_shuffle", 2);
        String x = b.input("input", 1, 3, 8, 8);
        String y = b.relu(b.conv(x, 16, 3, 1, 1, 1, true));
        String shuffled = b.reshape(b.transpose(b.reshape(y, 1, 2, 8, 8, 8), 0, 2, 1, 3, 4), 1, 16, 8, 8);
        ModelProto m = b.output(b.conv(shuffled, 4, 1, 1, 0, 1, true)).build(13);
        ChannelAnalysis a = Pruner.analyze(m, PruningOptions.defaults().withScope(Scope.CHANNELS));
        assertThat(group(a, "conv0").frozenReasons()).singleElement().asString()
                .contains("Reshape").contains("splits or mixes the channel axis");
    }

    @Test
    void groupsAreNumberedTheSameWayEveryTime() throws Exception {
        ModelProto m = SurgeryProofTest.build("denseNetConcat");
        List<String> first = Pruner.analyze(m, PruningOptions.defaults()).groups().stream().map(g -> g.id() + g.name()).toList();
        List<String> second = Pruner.analyze(m, PruningOptions.defaults()).groups().stream().map(g -> g.id() + g.name()).toList();
        assertThat(second).isEqualTo(first).hasSizeGreaterThan(3);
    }

    @Test
    void declaredShapesOfCutTensorsAreUpdated() throws Exception {
        OnnxGraphBuilder b = new OnnxGraphBuilder("value_info", 4);
        String x = b.input("input", 1, 3, 8, 8);
        String y = b.relu(b.conv(x, 16, 3, 1, 1, 1, true));
        ModelProto built = b.output(b.conv(y, 4, 3, 1, 1, 1, true)).build(13);
        ModelProto m = built.toBuilder().setGraph(built.getGraph().toBuilder().addValueInfo(ValueInfoProto.newBuilder()
                .setName(y).setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape(1, 16, 8, 8)))))).build();
        PruningResult r = Pruner.prune(m, new Budget.Fraction(0.5), PruningOptions.defaults().withRoundTo(1));
        int kept = r.report().groups().get(0).kept();
        assertThat(kept).isLessThan(16);
        ValueInfoProto declared = r.model().getGraph().getValueInfo(0);
        assertThat(declared.getName()).isEqualTo(y);
        assertThat(declared.getType().getTensorType().getShape().getDimList())
                .extracting(TensorShapeProto.Dimension::getDimValue).containsExactly(1L, (long) kept, 8L, 8L);
        assertThat(r.model().getGraph().getNodeList()).extracting(NodeProto::getName)
                .containsExactlyElementsOf(m.getGraph().getNodeList().stream().map(NodeProto::getName).toList());
    }
}
