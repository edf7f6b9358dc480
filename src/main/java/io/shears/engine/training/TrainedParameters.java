package io.shears.engine.training;

import ai.djl.nn.Parameter;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.graph.Graph;
import io.shears.pruning.ClassifierHead;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The parameters a run updates, in block order, and the trainable ones a frozen backbone keeps as they are.
 */
final class TrainedParameters {
    private final Map<String, Parameter> trained = new LinkedHashMap<>();
    private final List<Parameter> frozen = new ArrayList<>();

    TrainedParameters(OnnxInterpreterBlock block, FineTuneSpec spec) {
        Set<String> head = spec.freeze() == FineTuneSpec.Freeze.BACKBONE ? headParameters(block, spec) : null;
        for (var pair : block.getParameters()) {
            Parameter p = pair.getValue();
            if (p.requiresGradient() && (head == null || head.contains(pair.getKey()))) {
                trained.put(pair.getKey(), p);
            } else if (p.requiresGradient()) {
                frozen.add(p);
            }
        }
        if (trained.isEmpty()) {
            throw new IllegalArgumentException("nothing to train: the block has no trainable parameter"
                    + (head == null ? "" : " among the head's " + head));
        }
    }

    /** The given head names, or the parameters of the model's {@link ClassifierHead}. */
    private static Set<String> headParameters(OnnxInterpreterBlock block, FineTuneSpec spec) {
        Set<String> names = new LinkedHashSet<>();
        if (!spec.headParameters().isEmpty()) {
            for (String name : spec.headParameters()) {
                if (block.parameter(name) == null) {
                    throw new IllegalArgumentException("head parameter '" + name + "' is not a parameter of the model");
                }
                names.add(name);
            }
            return names;
        }
        Graph graph = new Graph(block.sourceModel());
        for (String name : ClassifierHead.find(graph).storedInputs(graph)) {
            if (block.parameter(name) != null) {
                names.add(name);
            }
        }
        return names;
    }

    Map<String, Parameter> byName() {
        return trained;
    }

    List<String> names() {
        return List.copyOf(trained.keySet());
    }

    /**
     * Runs {@code training} with the frozen parameters detached from autograd, so that backward stops at the head
     * instead of computing (and accumulating) gradients nobody reads; the block is the caller's, so they are attached
     * again afterwards.
     */
    <T> T withFrozenDetached(Supplier<T> training) {
        for (Parameter p : frozen) {
            p.getArray().setRequiresGradient(false);
        }
        try {
            return training.get();
        } finally {
            for (Parameter p : frozen) {
                p.getArray().setRequiresGradient(true);
            }
        }
    }
}
