package io.shears.api;

import io.shears.api.RangeSelection.Span;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The multipart/byteranges body (RFC 9110 section 14.6) that carries several spans of one representation, each part
 * with its own {@code Content-Type} and {@code Content-Range}, and the body's exact length, known before a byte is
 * sent, so the response can say {@code Content-Length} and a keep-alive client knows where it ends.
 */
final class MultipartByteranges {
    private static final String CRLF = "\r\n";

    private final List<Span> spans;
    private final String partType;
    private final long total;
    private final String boundary;

    /**
     * @param partType the representation's media type, which every part repeats
     * @param total    the representation's length, which every part's Content-Range names
     * @param boundary a string that does not occur in the representation (a long random one)
     */
    MultipartByteranges(List<Span> spans, String partType, long total, String boundary) {
        if (spans.isEmpty()) {
            throw new IllegalArgumentException("a multipart body needs a part");
        }
        this.spans = List.copyOf(spans);
        this.partType = partType;
        this.total = total;
        this.boundary = boundary;
    }

    String mediaType() {
        return "multipart/byteranges; boundary=" + boundary;
    }

    long length() {
        long length = ascii(closing()).length;
        for (int i = 0; i < spans.size(); i++) {
            length += ascii(partHeader(i)).length + spans.get(i).length();
        }
        return length;
    }

    /**
     * The body; {@code content} gives the bytes of one span and is called for every part when the body is built, so
     * it should open nothing until it is read.
     */
    InputStream body(Function<Span, InputStream> content) {
        List<InputStream> pieces = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            pieces.add(new ByteArrayInputStream(ascii(partHeader(i))));
            pieces.add(content.apply(spans.get(i)));
        }
        pieces.add(new ByteArrayInputStream(ascii(closing())));
        return new SequenceInputStream(Collections.enumeration(pieces));
    }

    /** The delimiter before part {@code i} (RFC 2046: the CRLF before a boundary belongs to it) and its headers. */
    private String partHeader(int i) {
        Span s = spans.get(i);
        return (i == 0 ? "" : CRLF) + "--" + boundary + CRLF
                + "Content-Type: " + partType + CRLF
                + "Content-Range: bytes " + s.first() + "-" + s.last() + "/" + total + CRLF
                + CRLF;
    }

    private String closing() {
        return CRLF + "--" + boundary + "--" + CRLF;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
