package io.shears.api;

import io.shears.api.RangeSelection.Choice;
import io.shears.api.RangeSelection.Parts;
import io.shears.api.RangeSelection.Span;
import io.shears.api.RangeSelection.Unsatisfiable;
import io.shears.api.RangeSelection.Whole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class RangeSelectionTest {
    static final String ETAG = "\"abc\"";
    static final long LENGTH = 100;

    static Choice get(String range) {
        return RangeSelection.select("GET", List.of(range), List.of(), ETAG, LENGTH);
    }

    static Parts parts(Span... spans) {
        return new Parts(List.of(spans));
    }

    @Test
    void intSuffixAndOpenRangesBecomeSpansWithinTheRepresentation() {
        assertThat(get("bytes=0-0")).isEqualTo(parts(new Span(0, 0)));
        assertThat(get("bytes=10-29")).isEqualTo(parts(new Span(10, 29)));
        assertThat(get("bytes=90-")).isEqualTo(parts(new Span(90, 99)));
        assertThat(get("bytes=90-1000")).isEqualTo(parts(new Span(90, 99)));
        assertThat(get("bytes=-10")).isEqualTo(parts(new Span(90, 99)));
        assertThat(get("bytes=-1000")).as("a suffix longer than the content is all of it")
                .isEqualTo(parts(new Span(0, 99)));
        assertThat(get("bytes=99-99999999999999999999999")).as("huge numbers saturate")
                .isEqualTo(parts(new Span(99, 99)));
    }

    @Test
    void severalRangesKeepTheirOrderAndTheUnitIsCaseInsensitive() {
        assertThat(get("BYTES=4-4, 0-0 ,\t2-2")).isEqualTo(parts(new Span(4, 4), new Span(0, 0), new Span(2, 2)));
        assertThat(get("bytes=0-0,,2-2")).as("empty list elements are skipped")
                .isEqualTo(parts(new Span(0, 0), new Span(2, 2)));
        assertThat(get("bytes=0-0,500-600")).as("an unsatisfiable range among others is dropped")
                .isEqualTo(parts(new Span(0, 0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=10-5", "bytes=abc", "bytes=", "bytes=-", "bytes=1-2-3", "bytes=0x1-2", "bytes",
            "bytes 0-5", "bytes =0-5", "bytes=+1-2", "bytes=0-0,abc", "bytes=,", "=0-5", "items=0-5", "bytes=٣-٤"})
    void anInvalidRangeOrAnotherUnitIsIgnored(String range) {
        assertThat(get(range)).isInstanceOf(Whole.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=100-", "bytes=100-200", "bytes=999999-", "bytes=-0", "bytes=100-100,-0"})
    void aValidRangeThatMissesTheContentIsUnsatisfiable(String range) {
        assertThat(get(range)).isInstanceOf(Unsatisfiable.class);
    }

    @Test
    void tooManyOrOverlappingRangesAreIgnored() {
        String sixteen = IntStream.range(0, RangeSelection.MAX_RANGES).mapToObj(i -> i * 2 + "-" + i * 2)
                .collect(Collectors.joining(","));
        assertThat(get("bytes=" + sixteen)).isInstanceOf(Parts.class);
        assertThat(get("bytes=" + sixteen + ",50-50")).isInstanceOf(Whole.class);
        assertThat(get("bytes=0-10,10-20")).isInstanceOf(Whole.class);
        assertThat(get("bytes=50-60,0-99")).isInstanceOf(Whole.class);
        assertThat(get("bytes=-10,95-95")).isInstanceOf(Whole.class);
        assertThat(get("bytes=0-9,10-19")).as("adjacent is not overlapping").isInstanceOf(Parts.class);
    }

    @Test
    void ifRangeHoldsOnlyForTheSameStrongETag() {
        List<String> range = List.of("bytes=0-9");
        assertThat(RangeSelection.select("GET", range, List.of(ETAG), ETAG, LENGTH)).isInstanceOf(Parts.class);
        for (String other : List.of("\"abd\"", "W/\"abc\"", "abc", "Sun, 06 Dec 2026 12:00:00 GMT", "*")) {
            assertThat(RangeSelection.select("GET", range, List.of(other), ETAG, LENGTH)).as(other)
                    .isInstanceOf(Whole.class);
        }
        assertThat(RangeSelection.select("GET", List.of("bytes=500-"), List.of("\"abd\""), ETAG, LENGTH))
                .as("a failed If-Range serves the whole even for an unsatisfiable range").isInstanceOf(Whole.class);
        assertThat(RangeSelection.select("GET", List.of(), List.of("\"abd\""), ETAG, LENGTH))
                .isInstanceOf(Whole.class);
    }

    @Test
    void onlyASingleRangeFieldOnAGetOfNonEmptyContentCounts() {
        assertThat(RangeSelection.select("HEAD", List.of("bytes=0-9"), List.of(), ETAG, LENGTH))
                .isInstanceOf(Whole.class);
        assertThat(RangeSelection.select("GET", List.of("bytes=0-9", "bytes=20-29"), List.of(), ETAG, LENGTH))
                .isInstanceOf(Whole.class);
        assertThat(RangeSelection.select("GET", List.of("bytes=-5"), List.of(), ETAG, 0)).isInstanceOf(Whole.class);
        assertThat(RangeSelection.select("GET", List.of(), List.of(), ETAG, LENGTH)).isInstanceOf(Whole.class);
    }
}
