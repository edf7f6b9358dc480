package io.shears.engine.interpreter;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;
import io.shears.graph.Shapes;

import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model as a DJL block. It owns the model's float weights as {@link Parameter}s (see {@link StoredRole} for
 * which are trainable and which are BatchNorm running statistics) and runs the graph's nodes in topological order, one
 * {@link Kernels kernel} per node, so that DJL's autograd, optimizers and devices work on any graph the interpreter
 * supports. Building it refuses an operator without a kernel by name.
 *
 * <p>In training mode BatchNormalization normalises with the batch's statistics and updates its running statistics
 * in place; Dropout drops. {@link PassMode#BATCH_STATISTICS} does the former without the latter. Shapes are computed
 * at run time, so any batch size works.
 *
 * <p>{@link #exportModel()} writes the current parameter values back into the ONNX model. Closing the block frees its
 * parameter arrays.
 */
public final class OnnxInterpreterBlock extends AbstractBlock implements AutoCloseable {
    private static final byte VERSION = 1;

    private final Graph graph;
    private final ExecutionPlan plan;
    private final ModelWeights weights;

    /** Builds the block with its parameters on a sub-manager of {@code manager} (and so on its device). */
    public OnnxInterpreterBlock(ModelProto model, NDManager manager) {
        super(VERSION);
        this.graph = new Graph(model);
        this.plan = ExecutionPlan.of(graph);
        this.weights = ModelWeights.load(graph, manager);
        for (Parameter parameter : weights.parameters().values()) {
            addParameter(parameter);
        }
        this.inputNames = plan.inputs();
    }

    /** The device the block's parameters live on: the one its manager was created for. */
    public Device device() {
        return weights.manager().getDevice();
    }

    /**
     * Refuses a manager on another device than the parameters. A pass would otherwise copy every parameter to the
     * manager's device each step and train the copies, leaving the block's own weights untouched.
     */
    public void requireDevice(NDManager manager, String who) {
        if (!manager.getDevice().equals(device())) {
            throw new IllegalArgumentException(who + " was given a manager on " + manager.getDevice()
                    + " but the block's parameters are on " + device() + "; build the block on a manager of the "
                    + "device to run on");
        }
    }

    public List<String> inputNames() {
        return plan.inputs();
    }

    public List<String> outputNames() {
        return plan.outputs();
    }

    /** The owned parameter holding an initializer or Constant output, or null. */
    public Parameter parameter(String tensorName) {
        return weights.parameter(tensorName);
    }

    /**
     * Runs the model for inference: running statistics, no dropout, and no gradient recording on this thread. The
     * outputs are attached to the manager of the first input.
     */
    public NDList infer(NDList inputs) {
        try (NoGradScope noGrad = NoGradScope.open();
             NDManager store = inputs.head().getManager().newSubManager()) {
            return forward(new ParameterStore(store, false), inputs, false);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return forward(parameterStore, inputs, PassMode.of(training));
    }

    /**
     * Runs the model in the given mode; DJL's {@code forward(..., training)} is this with {@link PassMode#TRAINING}
     * or {@link PassMode#INFERENCE}. The outputs are attached to the manager of the first input.
     */
    public NDList forward(ParameterStore parameterStore, NDList inputs, PassMode mode) {
        NDManager caller = inputs.head().getManager();
        try (NDManager pass = caller.newSubManager()) {
            NDList outputs = new ForwardPass(plan, weights, parameterStore, mode, pass, graph.opset()).run(inputs);
            outputs.attach(caller);
            return outputs;
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (inputShapes.length != plan.inputs().size()) {
            throw new IllegalArgumentException("the model takes " + plan.inputs().size() + " inputs, got "
                    + inputShapes.length + " shapes");
        }
        Map<String, long[]> given = new HashMap<>();
        for (int i = 0; i < inputShapes.length; i++) {
            given.put(plan.inputs().get(i), inputShapes[i].getShape());
        }
        Shapes shapes = ShapeInference.infer(graph, given);
        return plan.outputs().stream().map(name -> new Shape(shapes.dims(name))).toArray(Shape[]::new);
    }

    /**
     * The model with every owned initializer and Constant value replaced by the parameter's current value (same names
     * and dims, float32 raw_data), BatchNorm running statistics included. Reads the parameters' own arrays: a caller
     * that trained on mirrored copies (several devices) syncs its parameter store first.
     */
    public ModelProto exportModel() {
        return WeightWriteBack.export(graph, weights.parameters());
    }

    /** The ONNX model the block was built from. */
    public ModelProto sourceModel() {
        return graph.model();
    }

    /**
     * DJL's parameter files start with the block's input shapes, which exist only once the block was initialised; a
     * block that was only run (any batch size works) saves an empty list instead of failing.
     */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        if (inputShapes == null) {
            os.writeInt(0);
        } else {
            saveInputShapes(os);
        }
    }

    @Override
    public void close() {
        weights.close();
    }

    @Override
    public String toString() {
        return "OnnxInterpreterBlock(" + graph.model().getGraph().getName() + ", " + plan.steps().size() + " nodes, "
                + weights.parameters().size() + " parameters)";
    }
}
