package io.shears.graph;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.shears.onnx.InvalidModelException;
import io.shears.onnx.ModelProblem;
import io.shears.onnx.Protos;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shears.onnx.Protos.attr;
import static io.shears.onnx.Protos.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/** The dataflow view: order, producers and consumers, weights, and the graphs it refuses. */
class GraphTest {
    private static final List<ai.onnx.proto.OnnxMl.ValueInfoProto> X = List.of(Protos.floatInfo("x", 1, 4));

    @Test
    void aGraphInFileOrderKeepsItsOrder() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);

        Graph graph = new Graph(model);

        assertThat(graph.nodes()).extracting(Node::name)
                .containsExactlyElementsOf(model.getGraph().getNodeList().stream().map(NodeProto::getName).toList());
        assertThat(graph.opset()).isEqualTo(13);
        assertThat(graph.inputs()).extracting(i -> i.getName()).containsExactly(TestGraphs.INPUT_NAME);
        assertThat(graph.outputs()).containsExactly(model.getGraph().getOutput(0).getName());
        assertThat(graph.initializers()).hasSize(model.getGraph().getInitializerCount());
    }

    @Test
    void producersAndConsumers() {
        Graph graph = new Graph(TestGraphs.resnetBasicBlocks().build(13));

        Node conv = graph.producer("conv0_out");
        assertThat(conv.op()).isEqualTo("Conv");
        assertThat(conv.name()).isEqualTo("conv0");
        assertThat(graph.consumers("conv0_out")).extracting(Node::name).containsExactly("bn0");
        // the stem output feeds the first block's conv and its identity shortcut
        assertThat(graph.consumers("relu0_out")).extracting(Node::op).containsExactlyInAnyOrder("Conv", "Add");
        assertThat(graph.producer(TestGraphs.INPUT_NAME)).isNull();
        assertThat(graph.producer("conv0.weight")).isNull();
        assertThat(graph.consumers("nothing")).isEmpty();
        assertThat(graph.isOutput(graph.outputs().get(0))).isTrue();
        assertThat(graph.isOutput("conv0_out")).isFalse();
    }

    /** A file whose nodes are reversed (not topological) is put in an order where producers come first. */
    @Test
    void sortsNodesOfAFileThatIsNotInTopologicalOrder() {
        ModelProto model = TestGraphs.denseNetConcat().build(13);
        List<NodeProto> reversed = new ArrayList<>(model.getGraph().getNodeList());
        Collections.reverse(reversed);
        ModelProto shuffled = model.toBuilder().setGraph(model.getGraph().toBuilder().clearNode()
                .addAllNode(reversed)).build();

        Graph graph = new Graph(shuffled);

        assertTopological(graph);
        Shapes original = ShapeInference.infer(new Graph(model), Map.of());
        Shapes sorted = ShapeInference.infer(graph, Map.of());
        for (NodeProto n : model.getGraph().getNodeList()) {
            assertThat(sorted.type(n.getOutput(0))).isEqualTo(original.type(n.getOutput(0)));
        }
    }

    /** A node that reads one tensor twice and another tensor computed later must still wait for both. */
    @Test
    void sortsANodeThatReadsTheSameTensorTwice() {
        GraphProto g = Protos.graph("g", X, List.of(Protos.floatInfo("c", 1, 12)))
                .addNode(node("concat", "Concat", List.of("a", "a", "q"), List.of("c"), attr("axis", 1L)))
                .addNode(node("p", "Relu", List.of("x"), List.of("a")))
                .addNode(node("r", "Relu", List.of("x"), List.of("r")))
                .addNode(node("q", "Sigmoid", List.of("r"), List.of("q")))
                .build();

        Graph graph = new Graph(Protos.model(13, g));

        assertTopological(graph);
        assertThat(graph.nodes()).extracting(Node::name).endsWith("concat");
        assertThat(ShapeInference.infer(graph, Map.of()).dims("c")).containsExactly(1, 12);
    }

    @Test
    void refusesACycle() {
        GraphProto g = Protos.graph("g", X, List.of(Protos.floatInfo("b", 1, 4)))
                .addNode(node("first", "Add", List.of("x", "b"), List.of("a")))
                .addNode(node("second", "Relu", List.of("a"), List.of("b")))
                .build();

        assertRefused(Protos.model(13, g), ModelProblem.GRAPH_CYCLE, "first");
    }

    @Test
    void refusesASelfLoop() {
        GraphProto g = Protos.graph("g", X, List.of(Protos.floatInfo("y", 1, 4)))
                .addNode(node("loop", "Add", List.of("x", "y"), List.of("y")))
                .build();

        assertRefused(Protos.model(13, g), ModelProblem.GRAPH_CYCLE, "loop");
    }

    /** The cycle passes through a node that reads one tensor twice; counting that edge twice must not hide it. */
    @Test
    void refusesACycleThroughANodeThatReadsATensorTwice() {
        GraphProto g = Protos.graph("g", X, List.of(Protos.floatInfo("c", 1, 12)))
                .addNode(node("p", "Relu", List.of("x"), List.of("a")))
                .addNode(node("concat", "Concat", List.of("a", "a", "d"), List.of("c"), attr("axis", 1L)))
                .addNode(node("back", "Relu", List.of("c"), List.of("d")))
                .build();

        assertRefused(Protos.model(13, g), ModelProblem.GRAPH_CYCLE, "'concat'");
    }

    @Test
    void refusesANodeReadingATensorNothingProduces() {
        GraphProto g = Protos.graph("g", X, List.of(Protos.floatInfo("y", 1, 4)))
                .addNode(node("adder", "Add", List.of("x", "ghost"), List.of("y")))
                .build();

        InvalidModelException e = assertRefused(Protos.model(13, g), ModelProblem.DANGLING_INPUT, "ghost");
        assertThat(e.getMessage()).contains("adder");
    }

    @Test
    void refusesAGraphOutputNothingProduces() {
        GraphProto g = Protos.graph("g", X, List.of(Protos.floatInfo("y", 1, 4), Protos.floatInfo("phantom", 1)))
                .addNode(node("relu", "Relu", List.of("x"), List.of("y")))
                .build();

        assertRefused(Protos.model(13, g), ModelProblem.DANGLING_INPUT, "phantom");
    }

    @Test
    void refusesTwoNodesWritingTheSameTensor() {
        GraphProto g = Protos.graph("g", X, List.of(Protos.floatInfo("y", 1, 4)))
                .addNode(node("one", "Relu", List.of("x"), List.of("y")))
                .addNode(node("two", "Sigmoid", List.of("x"), List.of("y")))
                .build();

        assertRefused(Protos.model(13, g), ModelProblem.DUPLICATE_OUTPUT, "'y'");
    }

    @Test
    void refusesANodeOverwritingAnInitializerOrAGraphInput() {
        GraphProto overInit = Protos.graph("g", X, List.of(Protos.floatInfo("w", 4)))
                .addInitializer(Protos.randomFloats("w", 1, 4))
                .addNode(node("relu", "Relu", List.of("x"), List.of("w")))
                .build();
        GraphProto overInput = Protos.graph("g", X, List.of(Protos.floatInfo("x", 1, 4)))
                .addNode(node("relu", "Relu", List.of("x"), List.of("x")))
                .build();
        GraphProto twoInits = Protos.graph("g", X, List.of(Protos.floatInfo("y", 1, 4)))
                .addInitializer(Protos.randomFloats("w", 1, 4))
                .addInitializer(Protos.randomFloats("w", 2, 4))
                .addNode(node("add", "Add", List.of("x", "w"), List.of("y")))
                .build();

        assertRefused(Protos.model(13, overInit), ModelProblem.DUPLICATE_OUTPUT, "'w'");
        assertRefused(Protos.model(13, overInput), ModelProblem.DUPLICATE_OUTPUT, "'x'");
        assertRefused(Protos.model(13, twoInits), ModelProblem.DUPLICATE_OUTPUT, "'w'");
    }

    @Test
    void initializersListedAsInputsAreNotGraphInputs() {
        GraphProto g = Protos.graph("g", List.of(Protos.floatInfo("x", 1, 4), Protos.floatInfo("w", 4)),
                        List.of(Protos.floatInfo("y", 1, 4)))
                .addInitializer(Protos.randomFloats("w", 1, 4))
                .addNode(node("add", "Add", List.of("x", "w"), List.of("y")))
                .build();

        Graph graph = new Graph(Protos.model(9, g));

        assertThat(graph.inputs()).extracting(i -> i.getName()).containsExactly("x");
        assertThat(graph.weight("w")).isNotNull();
        assertThat(ShapeInference.infer(graph, Map.of()).dims("y")).containsExactly(1, 4);
    }

    @Test
    void weightsAreFoundThroughIdentityAliasesAndInConstantNodes() {
        Graph aliased = new Graph(TestGraphs.identityAliasedWeights().build(13));
        Graph paddle = new Graph(TestGraphs.paddleConstantWeights().build(13));

        List<Node> aliasedConvs = aliased.nodes().stream().filter(n -> n.op().equals("Conv")).toList();
        assertThat(aliasedConvs).hasSize(3);
        Node first = aliasedConvs.get(0);
        assertThat(aliased.producer(first.input(1)).op()).isEqualTo("Identity");
        assertThat(aliased.weightSource(first.input(1))).isNotEqualTo(first.input(1));
        assertThat(aliased.initializers()).containsKey(aliased.weightSource(first.input(1)));
        assertThat(aliased.weightDims(first.input(1))).containsExactly(8, 3, 3, 3);
        assertThat(aliased.weightSource(aliasedConvs.get(2).input(1)))
                .isEqualTo(aliasedConvs.get(1).input(1));
        assertThat(aliased.weightSource(first.output(0))).isNull();
        assertThat(aliased.weight(TestGraphs.INPUT_NAME)).isNull();

        Node paddleConv = paddle.nodes().stream().filter(n -> n.op().equals("Conv")).findFirst().orElseThrow();
        assertThat(paddle.initializers()).isEmpty();
        assertThat(paddle.isConstantNodeOutput(paddleConv.input(1))).isTrue();
        assertThat(paddle.weightDims(paddleConv.input(1))).containsExactly(8, 3, 3, 3);
        assertThat(paddle.weight(paddleConv.input(1)).getName()).isEqualTo(paddleConv.input(1));
    }

    @Test
    void nodesWithoutNamesAreNamedByOpAndIndexAndAttributesAreTyped() {
        GraphProto g = Protos.graph("g", X, List.of(Protos.floatInfo("y", 1, 4)))
                .addNode(NodeProto.newBuilder().setOpType("LeakyRelu").addInput("x").addOutput("y")
                        .addAttribute(attr("alpha", 0.25f)).addAttribute(Protos.ints("list", 3, 4))
                        .addAttribute(attr("mode", "fast")).addAttribute(attr("k", 7L)))
                .build();

        Node node = new Graph(Protos.model(13, g)).nodes().get(0);

        assertThat(node.name()).isEqualTo("LeakyRelu_0");
        assertThat(node.toString()).contains("LeakyRelu_0").contains("LeakyRelu");
        assertThat(node.attrFloat("alpha", 0)).isEqualTo(0.25f);
        assertThat(node.attrInts("list")).containsExactly(3, 4);
        assertThat(node.attrString("mode", "")).isEqualTo("fast");
        assertThat(node.attrInt("k", 0)).isEqualTo(7);
        assertThat(node.attrInt("absent", -5)).isEqualTo(-5);
        assertThat(node.attrInts("absent")).isNull();
        assertThat(node.input(3)).isEmpty();
        assertThat(node.has("alpha")).isTrue();
        assertThat(node.has("beta")).isFalse();
    }

    @Test
    void theDefaultDomainOpsetIsTheOneThatCounts() {
        ModelProto model = Protos.model(13, Protos.graph("g", X, List.of(Protos.floatInfo("y", 1, 4)))
                .addNode(node("relu", "Relu", List.of("x"), List.of("y"))).build());
        ModelProto withCustom = model.toBuilder().clearOpsetImport()
                .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setDomain("com.example").setVersion(2))
                .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setDomain("ai.onnx").setVersion(15))
                .build();

        assertThat(new Graph(model).opset()).isEqualTo(13);
        assertThat(new Graph(withCustom).opset()).isEqualTo(15);
    }

    // ---------------------------------------------------------------- helpers

    private static void assertTopological(Graph graph) {
        Set<String> available = new HashSet<>(graph.initializers().keySet());
        graph.inputs().forEach(i -> available.add(i.getName()));
        for (Node node : graph.nodes()) {
            for (String in : node.inputs()) {
                if (!in.isEmpty()) {
                    assertThat(available).as("%s reads '%s' before it is produced", node, in).contains(in);
                }
            }
            available.addAll(node.outputs());
        }
    }

    private static InvalidModelException assertRefused(ModelProto model, ModelProblem problem, String culprit) {
        InvalidModelException[] caught = new InvalidModelException[1];
        assertThatThrownBy(() -> new Graph(model))
                .asInstanceOf(type(InvalidModelException.class))
                .satisfies(e -> {
                    assertThat(e.problem()).as(e.getMessage()).isEqualTo(problem);
                    assertThat(e.code()).isEqualTo(problem.name());
                    assertThat(e.getMessage()).contains(culprit);
                    caught[0] = e;
                });
        return caught[0];
    }
}
