package io.shears.graph;

/** Computes a node's output types (and, for shape arithmetic, values) from its inputs. One rule per operator. */
@FunctionalInterface
public interface ShapeRule {
    void infer(ShapeContext ctx);
}
