package io.shears.engine.interpreter;

import io.shears.graph.Node;

/** A node failed while the interpreter ran it (wrong run-time shapes, a native error); the message names the node. */
public class NodeExecutionException extends RuntimeException {
    private final String nodeName;
    private final String op;

    public NodeExecutionException(Node node, String message, Throwable cause) {
        super("node " + node + ": " + message, cause);
        this.nodeName = node.name();
        this.op = node.op();
    }

    public String nodeName() {
        return nodeName;
    }

    public String op() {
        return op;
    }
}
