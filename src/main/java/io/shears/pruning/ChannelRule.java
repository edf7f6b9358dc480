package io.shears.pruning;

import io.shears.graph.Node;

/**
 * How one operator moves channels from its inputs to its outputs (propagate), and what of the node must change when
 * channels are removed (rewrite). One rule per operator, registered in {@link ChannelRules}.
 */
interface ChannelRule {
    void propagate(Node node, ChannelContext ctx);

    default void rewrite(Node node, SurgeryContext surgery) {
    }
}
