package io.shears.pruning;

/** Which axis of an activation carries channels, and the atom behind each position of that axis. */
record Layout(int axis, int[] atoms) {
    int size() {
        return atoms.length;
    }
}
