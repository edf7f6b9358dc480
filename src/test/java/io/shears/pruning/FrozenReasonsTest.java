package io.shears.pruning;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reasons read the same at every node, so that one cause at many nodes is counted as one. */
class FrozenReasonsTest {
    @Test
    void nodeNamesAreLeftOutOfTheReason() {
        assertThat(FrozenReasons.withoutNodeNames("node 'layer1.0/conv2' (Conv): grouped convolution (group=32) keeps"
                + " its channels")).isEqualTo("grouped convolution (group=32) keeps its channels");
        assertThat(FrozenReasons.withoutNodeNames("residual Add 'add_7' (Add) keeps the representation's width"))
                .isEqualTo("residual Add keeps the representation's width");
        assertThat(FrozenReasons.withoutNodeNames("node 'x' (Foo): operator 'Foo' has no channel rule"))
                .isEqualTo("operator 'Foo' has no channel rule");
    }

    @Test
    void whatIsNotANodeStays() {
        assertThat(FrozenReasons.withoutNodeNames("reaches the graph output 'logits'"))
                .isEqualTo("reaches the graph output 'logits'");
        assertThat(FrozenReasons.withoutNodeNames("node 'conv1' is excluded by request"))
                .isEqualTo("node 'conv1' is excluded by request");
    }
}
