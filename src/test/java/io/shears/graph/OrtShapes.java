package io.shears.graph;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.shears.onnx.ModelWriter;
import io.shears.onnx.Protos;
import io.shears.testing.OrtRunner;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ONNX Runtime as the oracle for shape inference: every float tensor that Shears infers is exposed as a graph output,
 * the model is run, and the concrete shapes are compared one by one.
 */
final class OrtShapes {
    private OrtShapes() {
    }

    static Shapes infer(ModelProto model, long... inputShape) {
        return ShapeInference.infer(new Graph(model), Map.of(ShapeInference.ONLY_INPUT, inputShape));
    }

    /** The concrete shape of every float node output (except Constant outputs) as ONNX Runtime computes it. */
    static Map<String, long[]> run(ModelProto model, Shapes inferred, long[] inputShape) {
        ModelProto exposed = Protos.exposeAll(model, name -> inferred.has(name)
                && inferred.type(name).elemType() == Protos.FLOAT);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        OrtRunner.runAll(ModelWriter.toBytes(exposed), OrtRunner.randomInput(5, inputShape), inputShape)
                .forEach((name, output) -> shapes.put(name, output.shape()));
        return shapes;
    }

    /**
     * Infers the shapes, runs ONNX Runtime, and asserts that every float tensor's inferred shape equals the real one
     * and that Shears inferred every node output. Returns the inferred shapes for further checks.
     *
     * @return the inferred shapes
     */
    static Shapes assertMatchesOrt(ModelProto model, long... inputShape) {
        Shapes inferred = infer(model, inputShape);
        for (NodeProto node : model.getGraph().getNodeList()) {
            for (String out : node.getOutputList()) {
                if (!out.isEmpty()) {
                    assertThat(inferred.has(out)).as("Shears inferred a shape for '%s' of %s", out, node.getName())
                            .isTrue();
                }
            }
        }
        Map<String, long[]> actual = run(model, inferred, inputShape);
        long floatOutputs = model.getGraph().getNodeList().stream()
                .filter(n -> !n.getOpType().equals("Constant"))
                .flatMap(n -> n.getOutputList().stream())
                .filter(o -> !o.isEmpty() && inferred.type(o).elemType() == Protos.FLOAT).distinct().count();
        assertThat(actual).as("ONNX Runtime returned every float tensor").isNotEmpty().hasSize((int) floatOutputs);
        actual.forEach((name, shape) -> assertThat(inferred.dims(name))
                .as("shape of '%s' at input %s", name, java.util.Arrays.toString(inputShape))
                .containsExactly(shape));
        return inferred;
    }
}
