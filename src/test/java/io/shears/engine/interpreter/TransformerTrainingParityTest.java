package io.shears.engine.interpreter;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.engine.Engines;
import io.shears.engine.Parity;
import io.shears.onnx.TensorValues;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One SGD step on a tiny torchvision ViT in the interpreter gives PyTorch's loss, PyTorch's gradient for every
 * parameter (LayerNormalization's scale and bias, the class token, the position embedding and the fused attention
 * projection among them) and PyTorch's loss after the step, within the parity bar. The reference comes from
 * {@code bench/models/export_training_reference.py}.
 */
class TransformerTrainingParityTest {
    private static final Path DIRECTORY = Path.of("src/test/resources/models/training");
    private static final String GRADIENT = "gradient:";

    @BeforeAll
    static void startEngine() {
        Engines.start();
    }

    private static ModelProto read(String file) throws IOException {
        return ModelProto.parseFrom(Files.readAllBytes(DIRECTORY.resolve(file)));
    }

    @Test
    void oneSgdStepOnATinyVitMatchesPyTorch() throws IOException {
        ModelProto model = read("vit-tiny-op17.onnx");
        Map<String, TensorProto> reference = read("vit-tiny-op17-sgd-step.pb").getGraph().getInitializerList()
                .stream().collect(Collectors.toMap(TensorProto::getName, t -> t));
        Map<String, float[]> gradients = new TreeMap<>();
        reference.forEach((name, tensor) -> {
            if (name.startsWith(GRADIENT)) {
                gradients.put(name.substring(GRADIENT.length()), TensorValues.floats(tensor));
            }
        });
        assertThat(gradients).as("the reference holds one gradient per parameter").hasSize(32);
        float learningRate = TensorValues.floats(reference.get("learning_rate"))[0];
        Loss loss = Loss.softmaxCrossEntropyLoss();

        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            TensorProto inputTensor = reference.get("input");
            NDArray x = manager.create(TensorValues.floats(inputTensor), new Shape(TensorValues.dims(inputTensor)));
            long[] labelValues = TensorValues.longs(reference.get("labels"));
            NDArray labels = manager.create(labelValues);
            ParameterStore store = new ParameterStore(manager, false);

            TreeSet<String> trainable = block.getParameters().values().stream().filter(Parameter::requiresGradient)
                    .map(Parameter::getName).collect(Collectors.toCollection(TreeSet::new));
            assertThat(trainable).as("the interpreter trains exactly PyTorch's parameters")
                    .containsExactlyElementsOf(gradients.keySet());

            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray value = loss.evaluate(new NDList(labels), block.forward(store, new NDList(x), true));
                Parity.assertClose(new float[] {value.getFloat()}, TensorValues.floats(reference.get("loss")),
                        "loss");
                collector.backward(value);
                for (Map.Entry<String, float[]> e : gradients.entrySet()) {
                    float[] gradient = block.parameter(e.getKey()).getArray().getGradient().toFloatArray();
                    Parity.assertClose(gradient, e.getValue(), "gradient of " + e.getKey());
                }
                try (NoGradScope noGrad = NoGradScope.open()) {
                    for (String name : trainable) {
                        NDArray p = block.parameter(name).getArray();
                        p.subi(p.getGradient().mul(learningRate));
                    }
                }
            }
            try (NoGradScope noGrad = NoGradScope.open()) {
                float after = loss.evaluate(new NDList(labels), block.forward(store, new NDList(x), true)).getFloat();
                Parity.assertClose(new float[] {after}, TensorValues.floats(reference.get("loss_after_step")),
                        "loss after one SGD step");
            }
        }
    }

    /**
     * The committed ViT fixture is exported with constant folding, the usual way: there, too, LayerNormalization's
     * scale and bias and the class token (read through Expand and Concat) are trained, not held as constants.
     */
    @Test
    void aFoldedVitExportTrainsItsLayerNormsAndClassToken() throws IOException {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(
                Path.of("src/test/resources/models/transformers/vit-op17.onnx")));
        List<String> expected = new ArrayList<>(List.of("class_token"));
        for (NodeProto node : model.getGraph().getNodeList()) {
            if (node.getOpType().equals("LayerNormalization")) {
                expected.add(node.getInput(1));
                expected.add(node.getInput(2));
            }
        }
        assertThat(expected).hasSize(11);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            for (String name : expected) {
                assertThat(block.parameter(name).requiresGradient()).as(name + " is trained").isTrue();
            }
        }
    }
}
