package io.shears.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Range requests (RFC 9110) against one download URL, checked byte for byte over raw keep-alive connections. The
 * filesystem and the S3 service tests run the same checks, so both stores answer alike.
 */
final class RangeChecks {
    private final int port;
    private final String key;
    private final String path;
    private final byte[] content;
    private final String mediaType;
    private final String etag;

    /** @param mediaType the Content-Type a plain GET of {@code path} answers with */
    RangeChecks(int port, String key, String path, byte[] content, String mediaType) throws Exception {
        this.port = port;
        this.key = key;
        this.path = path;
        this.content = content;
        this.mediaType = mediaType;
        this.etag = "\"" + ServiceTestSupport.sha256(content) + "\"";
        assertThat(content.length).as("the checks need content of some size").isBetween(100, 999_998);
    }

    void all() throws Exception {
        severalRangesComeAsMultipartOfTheExactLengthOnAKeepAliveConnection();
        singleOpenAndSuffixRangesComeAsOnePart();
        anUnsatisfiableRangeIs416WithAnEmptyBody();
        anInvalidRangeOrAnotherUnitIsIgnored();
        tooManyOrOverlappingRangesAreIgnored();
        ifRangeServesTheRangeOnlyForTheCurrentStrongETag();
        preconditionsComeBeforeTheRangeAndHeadIgnoresIt();
    }

    void severalRangesComeAsMultipartOfTheExactLengthOnAKeepAliveConnection() throws Exception {
        try (RawHttpConnection c = connect()) {
            var r = c.send("GET", path, auth("Range", "bytes=0-0,2-2,4-4"));
            assertThat(r.status()).as(r.toString()).isEqualTo(206);
            assertRepresentationHeaders(r);
            assertThat(r.header("Content-Range")).as("only the parts have Content-Range").isNull();
            assertThat(r.header("Content-Length")).as(r.toString()).isEqualTo(Integer.toString(r.body().length));
            assertThat(parts(r)).containsExactly(part(0, 0), part(2, 2), part(4, 4));

            var second = c.send("GET", path, auth());
            assertThat(second.status()).as("the connection is still usable: " + second).isEqualTo(200);
            assertThat(second.body()).isEqualTo(content);

            int n = content.length;
            var unordered = c.send("GET", path, auth("Range", "bytes=-3, 10-19,1-1"));
            assertThat(unordered.status()).as(unordered.toString()).isEqualTo(206);
            assertThat(parts(unordered)).as("the parts come in the order asked")
                    .containsExactly(part(n - 3, n - 1), part(10, 19), part(1, 1));
            assertThat(parts(c.send("GET", path, auth("Range", "bytes=0-0,2-" + (n + 10)))))
                    .containsExactly(part(0, 0), part(2, n - 1));
        }
    }

    void singleOpenAndSuffixRangesComeAsOnePart() throws Exception {
        int n = content.length;
        try (RawHttpConnection c = connect()) {
            assertSinglePart(c.send("GET", path, auth("Range", "bytes=10-29")), 10, 29);
            assertSinglePart(c.send("GET", path, auth("Range", "bytes=" + (n - 10) + "-")), n - 10, n - 1);
            assertSinglePart(c.send("GET", path, auth("Range", "bytes=-10")), n - 10, n - 1);
            assertSinglePart(c.send("GET", path, auth("Range", "bytes=-" + (n + 5))), 0, n - 1);
            assertSinglePart(c.send("GET", path, auth("Range", "bytes=5-" + (n + 100))), 5, n - 1);
            assertSinglePart(c.send("GET", path, auth("Range", "bytes=0-0," + n + "-")), 0, 0);
        }
    }

    void anUnsatisfiableRangeIs416WithAnEmptyBody() throws Exception {
        int n = content.length;
        try (RawHttpConnection c = connect()) {
            for (String range : List.of("bytes=999999-", "bytes=" + n + "-", "bytes=-0", "bytes=" + n + "-" + (n + 9)
                    + "," + (n + 20) + "-")) {
                var r = c.send("GET", path, auth("Range", range));
                assertThat(r.status()).as(range + " → " + r).isEqualTo(416);
                assertThat(r.body()).as(range).isEmpty();
                assertThat(r.header("Content-Length")).as(range + " → " + r).isEqualTo("0");
                assertThat(r.header("Content-Range")).as(range).isEqualTo("bytes */" + n);
            }
            assertThat(c.send("GET", path, auth()).body()).as("the connection is still usable").isEqualTo(content);
        }
    }

    void anInvalidRangeOrAnotherUnitIsIgnored() throws Exception {
        try (RawHttpConnection c = connect()) {
            for (String range : List.of("bytes=10-5", "bytes=abc", "items=0-5", "bytes=5", "bytes 0-5",
                    "bytes=0-0;x")) {
                assertWhole(c.send("GET", path, auth("Range", range)), range);
            }
        }
    }

    void tooManyOrOverlappingRangesAreIgnored() throws Exception {
        String many = IntStream.range(0, 17).mapToObj(i -> i * 3 + "-" + i * 3).collect(Collectors.joining(","));
        String sixteen = many.substring(0, many.lastIndexOf(','));
        try (RawHttpConnection c = connect()) {
            assertWhole(c.send("GET", path, auth("Range", "bytes=" + many)), "17 ranges");
            assertWhole(c.send("GET", path, auth("Range", "bytes=0-10,5-20")), "overlapping");
            assertWhole(c.send("GET", path, auth("Range", "bytes=0-,-1")), "overlapping open and suffix");
            var r = c.send("GET", path, auth("Range", "bytes=" + sixteen));
            assertThat(r.status()).as("16 ranges are served").isEqualTo(206);
            assertThat(parts(r)).hasSize(16);
        }
    }

    void ifRangeServesTheRangeOnlyForTheCurrentStrongETag() throws Exception {
        try (RawHttpConnection c = connect()) {
            assertSinglePart(c.send("GET", path, auth("Range", "bytes=10-29", "If-Range", etag)), 10, 29);
            for (String other : List.of("\"" + "0".repeat(64) + "\"", "W/" + etag, "Sun, 06 Dec 2026 12:00:00 GMT")) {
                assertWhole(c.send("GET", path, auth("Range", "bytes=10-29", "If-Range", other)), "If-Range " + other);
            }
        }
    }

    void preconditionsComeBeforeTheRangeAndHeadIgnoresIt() throws Exception {
        try (RawHttpConnection c = connect()) {
            var notModified = c.send("GET", path, auth("Range", "bytes=0-9", "If-None-Match", etag));
            assertThat(notModified.status()).as(notModified.toString()).isEqualTo(304);
            var head = c.send("HEAD", path, auth("Range", "bytes=0-9"));
            assertThat(head.status()).as(head.toString()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(content.length));
            assertThat(head.header("Content-Range")).isNull();
            assertThat(c.send("GET", path, auth()).body()).as("the connection is still usable").isEqualTo(content);
        }
    }

    // ---- helpers

    private RawHttpConnection connect() throws IOException {
        return new RawHttpConnection(port);
    }

    private String[] auth(String... headers) {
        String[] all = Arrays.copyOf(new String[] {"Authorization", "Bearer " + key}, 2 + headers.length);
        System.arraycopy(headers, 0, all, 2, headers.length);
        return all;
    }

    private void assertRepresentationHeaders(RawHttpConnection.Response r) {
        assertThat(r.header("ETag")).as(r.toString()).isEqualTo(etag);
        assertThat(r.header("Repr-Digest")).as(r.toString()).startsWith("sha-256=:");
        assertThat(r.header("Accept-Ranges")).as(r.toString()).isEqualTo("bytes");
        assertThat(r.header("Content-Disposition")).as(r.toString()).startsWith("attachment; filename=");
        assertThat(r.header("Connection")).as(r.toString()).isNotEqualToIgnoringCase("close");
    }

    private void assertWhole(RawHttpConnection.Response r, String what) {
        assertThat(r.status()).as(what + " → " + r).isEqualTo(200);
        assertRepresentationHeaders(r);
        assertThat(r.header("Content-Type")).as(what).isEqualTo(mediaType);
        assertThat(r.header("Content-Length")).as(what).isEqualTo(Integer.toString(content.length));
        assertThat(r.header("Content-Range")).as(what).isNull();
        assertThat(r.body()).as(what).isEqualTo(content);
    }

    private void assertSinglePart(RawHttpConnection.Response r, int first, int last) {
        assertThat(r.status()).as(r.toString()).isEqualTo(206);
        assertRepresentationHeaders(r);
        assertThat(r.header("Content-Type")).isEqualTo(mediaType);
        assertThat(r.header("Content-Range")).isEqualTo("bytes " + first + "-" + last + "/" + content.length);
        assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(last - first + 1));
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(content, first, last + 1));
    }

    /** A part as a comparable string: its headers in order and its bytes in hex. */
    private String part(int first, int last) {
        return "Content-Type: " + mediaType + "\r\nContent-Range: bytes " + first + "-" + last + "/" + content.length
                + "\r\n\r\n" + HexFormat.of().formatHex(Arrays.copyOfRange(content, first, last + 1));
    }

    /** The parts of a multipart/byteranges body, read by RFC 2046's delimiters alone. */
    private static List<String> parts(RawHttpConnection.Response r) {
        String type = r.header("Content-Type");
        assertThat(type).as(r.toString()).startsWith("multipart/byteranges; boundary=");
        String boundary = type.substring(type.indexOf("boundary=") + 9);
        String body = new String(r.body(), StandardCharsets.ISO_8859_1);
        String delimiter = "\r\n--" + boundary;
        assertThat(body).as("the body opens with the first boundary").startsWith("--" + boundary + "\r\n");
        assertThat(body).as("and closes with the last").endsWith(delimiter + "--\r\n");
        List<String> parts = new ArrayList<>();
        String rest = "\r\n" + body.substring(0, body.length() - (delimiter + "--\r\n").length());
        for (String part : rest.split(Pattern.quote(delimiter + "\r\n"), -1)) {
            if (part.isEmpty()) {
                continue; // what precedes the first delimiter
            }
            int bodyStart = part.indexOf("\r\n\r\n") + 4;
            parts.add(part.substring(0, bodyStart) + HexFormat.of().formatHex(
                    part.substring(bodyStart).getBytes(StandardCharsets.ISO_8859_1)));
        }
        return parts;
    }
}
