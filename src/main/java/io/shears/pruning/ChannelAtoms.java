package io.shears.pruning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The bookkeeping behind channel dependencies. Every channel position that weights or activations carry is an atom;
 * atoms that must be removed together are joined (union-find), and a joined set is one prunable channel. Atoms are
 * created in blocks (the filters of one convolution, say); joining two atoms joins their blocks too, and a set of
 * joined blocks is a channel group.
 */
final class ChannelAtoms {
    /** What created a block of atoms: scope {@code filters} keeps per-sample features that no linear layer made. */
    enum Origin {
        FILTERS, FEATURES, FIXED
    }

    private int[] atomParent = new int[1024];
    private int[] atomBlock = new int[1024];
    private int atoms;
    private final List<Integer> blockParent = new ArrayList<>();
    private final List<Origin> blockOrigin = new ArrayList<>();
    private final List<String> blockLabel = new ArrayList<>();
    private final List<Set<String>> blockFrozen = new ArrayList<>();

    /** Creates {@code size} new atoms in a new block and returns their ids. */
    int[] newBlock(int size, Origin origin, String label) {
        int block = blockParent.size();
        blockParent.add(block);
        blockOrigin.add(origin);
        blockLabel.add(label);
        blockFrozen.add(new LinkedHashSet<>());
        if (atoms + size > atomParent.length) {
            int capacity = Math.max(atomParent.length * 2, atoms + size);
            atomParent = Arrays.copyOf(atomParent, capacity);
            atomBlock = Arrays.copyOf(atomBlock, capacity);
        }
        int[] ids = new int[size];
        for (int i = 0; i < size; i++) {
            ids[i] = atoms;
            atomParent[atoms] = atoms;
            atomBlock[atoms] = block;
            atoms++;
        }
        return ids;
    }

    int atomCount() {
        return atoms;
    }

    int find(int atom) {
        int root = atom;
        while (atomParent[root] != root) {
            root = atomParent[root];
        }
        while (atomParent[atom] != root) {
            int next = atomParent[atom];
            atomParent[atom] = root;
            atom = next;
        }
        return root;
    }

    /** Joins two atoms; the smaller id stays the root so that results do not depend on the order of joins. */
    void union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra != rb) {
            atomParent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
        unionBlocks(atomBlock[a], atomBlock[b]);
    }

    private int findBlock(int block) {
        int root = block;
        while (blockParent.get(root) != root) {
            root = blockParent.get(root);
        }
        blockParent.set(block, root);
        return root;
    }

    private void unionBlocks(int a, int b) {
        int ra = findBlock(a);
        int rb = findBlock(b);
        if (ra != rb) {
            blockParent.set(Math.max(ra, rb), Math.min(ra, rb));
        }
    }

    int group(int atom) {
        return findBlock(atomBlock[atom]);
    }

    void freeze(int atom, String reason) {
        blockFrozen.get(atomBlock[atom]).add(reason);
    }

    int blockCount() {
        return blockParent.size();
    }

    int blockGroup(int block) {
        return findBlock(block);
    }

    Origin origin(int block) {
        return blockOrigin.get(block);
    }

    String label(int block) {
        return blockLabel.get(block);
    }

    /** True when a block joined to the atom's block already has a reason to be kept. */
    boolean frozen(int atom) {
        int root = findBlock(atomBlock[atom]);
        for (int b = 0; b < blockParent.size(); b++) {
            if (!blockFrozen.get(b).isEmpty() && findBlock(b) == root) {
                return true;
            }
        }
        return false;
    }

    Set<String> frozenReasons(int block) {
        return blockFrozen.get(block);
    }

    int block(int atom) {
        return atomBlock[atom];
    }
}
