package io.shears.pruning;

import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.graph.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link ChannelRule} works with while channel dependencies are traced: the layouts of activations, the
 * channel axes of weights, and the atoms behind both. Rules only join, bind and freeze; they never decide what is
 * pruned.
 */
final class ChannelContext {
    private final Graph graph;
    private final Shapes shapes;
    private final PruningOptions options;
    private final ChannelAtoms atoms = new ChannelAtoms();
    private final Map<String, Layout> layouts = new HashMap<>();
    private final Map<String, WeightAxis> weightAxes = new LinkedHashMap<>();
    private final List<int[]> segments = new ArrayList<>();
    private final Map<String, int[]> renormalizers = new LinkedHashMap<>();
    private final ShapeEntries entries;
    private final List<CountLiteral> countLiterals = new ArrayList<>();

    ChannelContext(Graph graph, Shapes shapes, PruningOptions options) {
        this.graph = graph;
        this.shapes = shapes;
        this.options = options;
        this.entries = new ShapeEntries(graph, shapes);
    }

    ShapeEntries entries() {
        return entries;
    }

    Graph graph() {
        return graph;
    }

    Scope scope() {
        return options.scope();
    }

    GroupedConvolutions groupedConvolutions() {
        return options.groupedConvolutions();
    }

    int roundTo() {
        return options.roundTo();
    }

    ChannelAtoms atoms() {
        return atoms;
    }

    Map<String, Layout> layouts() {
        return layouts;
    }

    Map<String, WeightAxis> weightAxes() {
        return weightAxes;
    }

    /** Positions that must keep at least one channel (each output of a channel Split or Slice). */
    void requireNonEmpty(int[] positions) {
        segments.add(positions);
    }

    List<int[]> segments() {
        return segments;
    }

    /**
     * Notes that a node normalizes across these channels (LayerNormalization): removing one changes the others'
     * statistics, so the cut model no longer equals the original with those channels zeroed.
     */
    void renormalizedBy(Node node, int[] channelAtoms) {
        renormalizers.put(node.name(), channelAtoms);
    }

    Map<String, int[]> renormalizers() {
        return renormalizers;
    }

    /** Notes that surgery spells out a channel count the graph read at run time, should those channels be cut. */
    void spellOut(CountLiteral literal) {
        countLiterals.add(literal);
    }

    List<CountLiteral> countLiterals() {
        return countLiterals;
    }

    long[] dims(String tensor) {
        return shapes.dims(tensor);
    }

    long[] intValue(String tensor) {
        return shapes.intValue(tensor);
    }

    Layout layout(String tensor) {
        return tensor.isEmpty() ? null : layouts.get(tensor);
    }

    void setLayout(String tensor, int axis, int[] channelAtoms) {
        if (!tensor.isEmpty()) {
            layouts.put(tensor, new Layout(axis, channelAtoms));
        }
    }

    boolean isWeight(String tensor) {
        return !tensor.isEmpty() && graph.weightSource(tensor) != null;
    }

    /** True when the tensor is stored and only this node reads it, so its value may be rewritten in place. */
    boolean ownsConstant(Node node, String tensor) {
        String source = graph.weightSource(tensor);
        return source != null && graph.consumers(source).size() == 1 && graph.consumers(source).get(0) == node
                && !graph.isOutput(source);
    }

    private static String key(String source, int axis) {
        return source + "\u0000" + axis;
    }

    /**
     * The atoms of a weight axis that produces channels (filters, features): new ones the first time, the same ones
     * when another node shares the weight.
     */
    int[] producerAtoms(Node node, String weight, int axis, ChannelAtoms.Origin origin, WeightRole role) {
        String source = graph.weightSource(weight);
        WeightAxis existing = weightAxes.get(key(source, axis));
        if (existing != null) {
            existing.roles.add(role);
            existing.nodes.add(node.name());
            return existing.atoms;
        }
        int size = (int) graph.weightDims(weight)[axis];
        WeightAxis created = new WeightAxis(source, axis, atoms.newBlock(size, origin, node.name()));
        created.roles.add(role);
        created.nodes.add(node.name());
        weightAxes.put(key(source, axis), created);
        return created.atoms;
    }

    /** Binds a weight axis to existing channel atoms (joining them if another node bound it already). */
    void bindWeight(Node node, String weight, int axis, int[] channelAtoms, WeightRole role) {
        String source = graph.weightSource(weight);
        long[] d = graph.weightDims(weight);
        if (d == null || axis >= d.length || d[axis] != channelAtoms.length) {
            freeze(channelAtoms, "node " + node + ": weight '" + weight + "' does not line up with its channels");
            return;
        }
        WeightAxis existing = weightAxes.get(key(source, axis));
        if (existing == null) {
            existing = new WeightAxis(source, axis, channelAtoms);
            weightAxes.put(key(source, axis), existing);
        } else {
            union(existing.atoms, channelAtoms);
        }
        existing.roles.add(role);
        existing.nodes.add(node.name());
    }

    void union(int[] a, int[] b) {
        for (int i = 0; i < a.length; i++) {
            atoms.union(a[i], b[i]);
        }
    }

    void freeze(int[] channelAtoms, String reason) {
        for (int a : channelAtoms) {
            atoms.freeze(a, reason);
        }
    }

    void freeze(Layout layout, String reason) {
        if (layout != null) {
            freeze(layout.atoms(), reason);
        }
    }

    /** True when every channel of the layout is already kept whole, so nothing is lost by no longer following it. */
    boolean frozen(Layout layout) {
        java.util.Set<Integer> checked = new java.util.HashSet<>();
        for (int a : layout.atoms()) {
            if (checked.add(atoms.group(a)) && !atoms.frozen(a)) {
                return false;
            }
        }
        return true;
    }

    /** True when every channel of the layout was created by that kind of producer. */
    boolean createdBy(Layout layout, ChannelAtoms.Origin origin) {
        return Arrays.stream(layout.atoms()).allMatch(a -> atoms.origin(atoms.block(a)) == origin);
    }

    /** Atoms for channels that can never be removed (a computed tensor joined to tracked channels). */
    int[] fixedAtoms(int count, String label, String reason) {
        int[] ids = atoms.newBlock(count, ChannelAtoms.Origin.FIXED, label);
        freeze(ids, reason);
        return ids;
    }

    /** Freezes every tracked input of a node that Shears cannot follow channels through. */
    void freezeInputs(Node node, String why) {
        for (String in : node.inputs()) {
            Layout l = layout(in);
            if (l != null) {
                freeze(l, "node " + node + ": " + why);
            }
        }
    }
}
