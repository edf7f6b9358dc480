package io.shears.api;

import io.shears.api.RangeSelection.Span;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MultipartByterangesTest {
    static final byte[] CONTENT = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);

    @Test
    void framesEachPartWithItsHeadersAndSaysItsExactLength() throws Exception {
        var multipart = new MultipartByteranges(List.of(new Span(10, 12), new Span(0, 0), new Span(19, 19)),
                "application/json", CONTENT.length, "BOUNDARY");
        List<Span> opened = new ArrayList<>();
        byte[] body;
        try (InputStream in = multipart.body(s -> {
            opened.add(s);
            return new ByteArrayInputStream(Arrays.copyOfRange(CONTENT, (int) s.first(), (int) s.last() + 1));
        })) {
            body = in.readAllBytes();
        }
        assertThat(new String(body, StandardCharsets.US_ASCII)).isEqualTo("""
                --BOUNDARY\r
                Content-Type: application/json\r
                Content-Range: bytes 10-12/20\r
                \r
                abc\r
                --BOUNDARY\r
                Content-Type: application/json\r
                Content-Range: bytes 0-0/20\r
                \r
                0\r
                --BOUNDARY\r
                Content-Type: application/json\r
                Content-Range: bytes 19-19/20\r
                \r
                j\r
                --BOUNDARY--\r
                """);
        assertThat(multipart.length()).isEqualTo(body.length);
        assertThat(multipart.mediaType()).isEqualTo("multipart/byteranges; boundary=BOUNDARY");
        assertThat(opened).containsExactly(new Span(10, 12), new Span(0, 0), new Span(19, 19));
    }
}
