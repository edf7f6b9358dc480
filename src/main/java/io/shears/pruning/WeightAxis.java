package io.shears.pruning;

import java.util.ArrayList;
import java.util.List;

/** One axis of a stored weight bound to channel atoms, with the roles and nodes that bound it. */
final class WeightAxis {
    final String source;
    final int axis;
    final int[] atoms;
    final List<WeightRole> roles = new ArrayList<>();
    final List<String> nodes = new ArrayList<>();

    WeightAxis(String source, int axis, int[] atoms) {
        this.source = source;
        this.axis = axis;
        this.atoms = atoms;
    }

    boolean hasRole(WeightRole role) {
        return roles.contains(role);
    }

    String describe() {
        return nodes.get(0) + ":" + source + "[" + axis + "]";
    }
}
