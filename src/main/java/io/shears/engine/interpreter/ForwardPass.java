package io.shears.engine.interpreter;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.shears.graph.Node;
import io.shears.onnx.InvalidModelException;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * One forward pass of an {@link ExecutionPlan}. Every array the pass touches lives on its own manager: graph inputs
 * and stored tensors enter as views (which share storage, so gradients and in-place BatchNorm statistics reach the
 * originals), and since DJL puts an operation's result on its first operand's manager, everything computed from them
 * lands there too. Intermediates are closed once no later node reads them; PyTorch's autograd keeps what a backward
 * pass still needs.
 */
final class ForwardPass {
    private final ExecutionPlan plan;
    private final ModelWeights weights;
    private final ParameterStore parameterStore;
    private final PassMode mode;
    private final NDManager manager;
    private final Device device;
    private final int opset;
    private final Map<String, NDArray> values = new HashMap<>();
    private final Map<String, NDArray> storedViews = new HashMap<>();
    /** How many names (or the stored-view cache) hold each array; an array is closed when none does. */
    private final Map<NDArray, Integer> holders = new IdentityHashMap<>();

    ForwardPass(ExecutionPlan plan, ModelWeights weights, ParameterStore parameterStore, PassMode mode,
                NDManager manager, int opset) {
        this.plan = plan;
        this.weights = weights;
        this.parameterStore = parameterStore;
        this.mode = mode;
        this.manager = manager;
        this.device = manager.getDevice();
        this.opset = opset;
    }

    NDList run(NDList inputs) {
        if (inputs.size() != plan.inputs().size()) {
            throw new IllegalArgumentException("the model takes " + plan.inputs().size() + " inputs " + plan.inputs()
                    + ", got " + inputs.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            NDArray input = inputs.get(i);
            if (!input.getDevice().equals(device)) {
                throw new IllegalArgumentException("input '" + plan.inputs().get(i) + "' is on " + input.getDevice()
                        + " but the pass runs on " + device);
            }
            hold(plan.inputs().get(i), entering(input));
        }
        for (ExecutionPlan.Step step : plan.steps()) {
            stopIfInterrupted(step);
            execute(step);
        }
        NDList outputs = new NDList(plan.outputs().size());
        for (String name : plan.outputs()) {
            outputs.add(resolve(name, null));
        }
        return outputs;
    }

    /**
     * One pass over a large model and batch takes seconds, longer than a cancelled job may run on; so an interrupted
     * thread stops between nodes, as an interrupted read of a dataset does, and keeps its flag for the caller.
     */
    private static void stopIfInterrupted(ExecutionPlan.Step step) {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("interrupted before node " + step.node());
        }
    }

    private void execute(ExecutionPlan.Step step) {
        Node node = step.node();
        NDArray[] arguments = new NDArray[node.inputCount()];
        for (int i = 0; i < arguments.length; i++) {
            String name = node.input(i);
            arguments[i] = name.isEmpty() ? null : resolve(name, node);
        }
        NDList results;
        try {
            results = step.kernel().run(new KernelContext(this, node, arguments));
        } catch (InvalidModelException | NodeExecutionException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NodeExecutionException(node, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        for (int k = 0; k < node.outputs().size(); k++) {
            String name = node.output(k);
            NDArray result = k < results.size() ? results.get(k) : null;
            if (name.isEmpty()) {
                continue;
            }
            if (result == null) {
                if (plan.isNeeded(name)) {
                    throw new NodeExecutionException(node, "produced no value for output " + k + " ('" + name
                            + "'), which the graph reads", null);
                }
                continue;
            }
            if (result.getManager() != manager) {
                result.attach(manager);
            }
            if (plan.isNeeded(name)) {
                hold(name, result);
            } else if (!holders.containsKey(result)) {
                result.close();
            }
        }
        for (String name : step.lastReads()) {
            release(name);
        }
    }

    private NDArray resolve(String name, Node reader) {
        NDArray value = values.get(name);
        if (value != null) {
            return value;
        }
        if (weights.isStored(name)) {
            return stored(name);
        }
        String who = reader == null ? "the graph output" : "node " + reader;
        throw new IllegalStateException(who + " reads '" + name + "', which has no value yet");
    }

    NDArray stored(String name) {
        NDArray cached = storedViews.get(name);
        if (cached != null) {
            return cached;
        }
        Parameter parameter = weights.parameter(name);
        NDArray source = parameter != null ? parameterStore.getValue(parameter, device, mode == PassMode.TRAINING)
                : weights.constant(name);
        NDArray view = source.getDevice().equals(device) ? view(source) : source.toDevice(device, true);
        view.attach(manager);
        storedViews.put(name, view);
        holders.merge(view, 1, Integer::sum);
        return view;
    }

    /**
     * A graph input as the pass reads it. On the CPU an image batch ([N, C, H, W]) enters channels-last, the same
     * values laid out NHWC in memory: libtorch's oneDNN convolutions run forward and backward faster on that layout
     * (a training step of the ResNets and the RegNet measured, pruned or not, took 7-25% less time; ConvNeXt and DeiT
     * the same), and the convolutions, BatchNorms and activations after it keep it. A GPU keeps the layout it was
     * given.
     */
    private NDArray entering(NDArray input) {
        NDArray view = view(input);
        if (device.isGpu() || input.getShape().dimension() != 4) {
            return view;
        }
        return channelsLast(view);
    }

    /**
     * A copy of an [N, C, H, W] array with channels-last strides, on the array's manager (as DJL places every result).
     * DJL has no memory-format call, so the copy is made in NHWC order (a permuted view flattened, which copies) and
     * viewed back as [N, C, H, W].
     */
    static NDArray channelsLast(NDArray nchw) {
        long[] d = nchw.getShape().getShape();
        return nchw.transpose(0, 2, 3, 1).reshape(-1).reshape(d[0], d[2], d[3], d[1]).transpose(0, 3, 1, 2);
    }

    private NDArray view(NDArray array) {
        NDArray view = array.reshape(array.getShape());
        view.attach(manager);
        return view;
    }

    private void hold(String name, NDArray array) {
        NDArray previous = values.put(name, array);
        if (previous != null) {
            throw new IllegalStateException("tensor '" + name + "' was produced twice");
        }
        holders.merge(array, 1, Integer::sum);
    }

    private void release(String name) {
        NDArray array = values.remove(name);
        if (array == null) {
            return;
        }
        int left = holders.merge(array, -1, Integer::sum);
        if (left == 0) {
            holders.remove(array);
            array.close();
        }
    }

    long[] hostLongs(String name) {
        return values.containsKey(name) ? null : weights.hostLongs(name);
    }

    float[] hostFloats(String name) {
        return values.containsKey(name) ? null : weights.hostFloats(name);
    }

    boolean isNeeded(String tensor) {
        return plan.isNeeded(tensor);
    }

    int opset() {
        return opset;
    }

    PassMode mode() {
        return mode;
    }

    NDManager manager() {
        return manager;
    }
}
