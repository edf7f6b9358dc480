package io.shears.pruning;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Labels follow data through the movement operators exactly as the values would. */
class PositionTraceTest {
    @Test
    void labelsAlongAnAxisRepeatOverTheOthers() {
        PositionTrace t = PositionTrace.indexAlong(new long[] {2, 3}, 1);
        assertThat(t.labels()).containsExactly(0, 1, 2, 0, 1, 2);
        assertThat(PositionTrace.indexAlong(new long[] {2, 3}, 0).labels()).containsExactly(0, 0, 0, 1, 1, 1);
    }

    @Test
    void takeKeepsTheGivenIndicesOfOneAxisInOrder() {
        PositionTrace t = PositionTrace.flatIndex(new long[] {2, 3, 2});
        PositionTrace taken = t.take(1, new long[] {2, 0});
        assertThat(taken.dims()).containsExactly(2, 2, 2);
        assertThat(taken.labels()).containsExactly(4, 5, 0, 1, 10, 11, 6, 7);
        assertThat(t.take(1, new long[] {3})).as("an index past the axis").isNull();
    }

    @Test
    void aHeadSplitFollowedByAPermuteGivesEachHeadItsChannels() {
        // [tokens=2, 3 * heads=2 * width=2] reshaped to [2, 3, 2, 2] and permuted to [3, 2(heads), 2(tokens), 2]:
        // the q part of head 1 must hold channels 2 and 3 at every token.
        long[] dims = {2, 12};
        PositionTrace channels = PositionTrace.indexAlong(dims, 1);
        PositionTrace reshaped = new PositionTrace(channels.labels(), new long[] {2, 3, 2, 2});
        PositionTrace permuted = reshaped.transpose(new long[] {1, 2, 0, 3});
        assertThat(permuted.dims()).containsExactly(3, 2, 2, 2);
        long[] qHead1 = java.util.Arrays.copyOfRange(permuted.labels(), 4, 8);
        assertThat(qHead1).containsExactly(2, 3, 2, 3);
        long[] vHead0 = java.util.Arrays.copyOfRange(permuted.labels(), 16, 20);
        assertThat(vHead0).containsExactly(8, 9, 8, 9);
    }

}
