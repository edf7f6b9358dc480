package io.shears.graph;

/** Multiply-accumulates of one node, from its inferred shapes. */
@FunctionalInterface
public interface CostRule {
    CostRule NONE = (node, shapes) -> 0L;

    long macs(Node node, Shapes shapes);
}
