package io.shears.pruning;

import io.shears.graph.Node;

/**
 * A channel count that a graph reads at run time and then computes with (a head width as the embedding width over
 * the head count): the computation meant the original count, so once those channels are cut, the input of
 * {@code node} that held it becomes the stored original value.
 *
 * @param node  the node that computes with the count
 * @param input which of its inputs held it
 * @param value the count as read from the original graph
 * @param atoms the channels whose count it is
 */
record CountLiteral(Node node, int input, long[] value, int[] atoms) {
}
