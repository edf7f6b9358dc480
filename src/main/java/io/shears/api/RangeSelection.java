package io.shears.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides, as RFC 9110 (sections 13.1.5, 14.1 and 14.2) says, what a GET with {@code Range} and {@code If-Range}
 * gets of one representation: the whole of it, some byte spans of it, or nothing (416).
 *
 * <p>The RFC separates two failures. A {@code Range} that is <em>invalid</em> (not the ranges-specifier grammar, a
 * last-pos below its first-pos as in {@code bytes=10-5}, an other-range such as {@code bytes=abc}) or that names a
 * unit other than {@code bytes} (as {@code items=0-5}) is ignored: the server "MAY ignore or reject" an invalid one
 * and "MUST ignore" an unknown unit, and ignoring means the plain 200 with the whole representation, which every
 * client handles; a 416 would tell the client that its valid request missed the representation, which is not what
 * happened. A valid {@code Range} that is <em>unsatisfiable</em> (every first-pos at or past the end, or a suffix of
 * length 0 as {@code bytes=-0}) gets 416, which the caller answers with {@code Content-Range: bytes *}{@code /N}.
 *
 * <p>A server may also ignore a {@code Range} "with more than two overlapping ranges, or a set of many small ranges
 * that are not listed in ascending order", as signs of a broken client or a denial-of-service attempt. This one
 * ignores any set of more than {@value #MAX_RANGES} ranges and any set in which two ranges overlap, so a multipart
 * answer has few parts and never sends a byte twice: it is never longer than the representation plus the part
 * headers.
 */
final class RangeSelection {
    /** The most ranges one request may ask for; more are served as the whole representation. */
    static final int MAX_RANGES = 16;

    /** What to send. */
    sealed interface Choice permits Whole, Parts, Unsatisfiable {
    }

    /** 200 with the whole representation. */
    record Whole() implements Choice {
    }

    /** 206 with these spans, in the order they were asked for; more than one means multipart/byteranges. */
    record Parts(List<Span> spans) implements Choice {
    }

    /** 416: no range overlaps the representation. */
    record Unsatisfiable() implements Choice {
    }

    /** Bytes {@code first} to {@code last}, both included. */
    record Span(long first, long last) {
        long length() {
            return last - first + 1;
        }
    }

    private static final Choice WHOLE = new Whole();

    private RangeSelection() {
    }

    /**
     * @param method       the request's method
     * @param ranges       every {@code Range} field line of the request
     * @param ifRanges     every {@code If-Range} field line of the request
     * @param strongETag   the representation's entity tag, quoted
     * @param length       the representation's length in bytes
     */
    static Choice select(String method, List<String> ranges, List<String> ifRanges, String strongETag, long length) {
        // Range handling is defined for GET only; a HEAD describes the 200 a GET without Range would get.
        if (!"GET".equals(method) || ranges.size() != 1) {
            return WHOLE; // no Range, or several: Range is a singleton field, so several make it invalid
        }
        if (length == 0) {
            // Nothing to select from (the RFC calls "bytes=-5" satisfiable here, yet no part could hold a byte);
            // the server may always ignore Range, and the empty 200 is what a client asking for any part wants.
            return WHOLE;
        }
        if (!ifRanges.isEmpty() && !(ifRanges.size() == 1 && ifRanges.get(0).strip().equals(strongETag))) {
            // If-Range holds only for a strong entity tag that matches ours; a weak tag, another tag, or a date
            // (this representation has no Last-Modified to compare it with) means "send it all".
            return WHOLE;
        }
        List<Span> asked = parse(ranges.get(0), length);
        if (asked == null) {
            return WHOLE;
        }
        List<Span> satisfiable = new ArrayList<>();
        for (Span s : asked) {
            if (s.first() < length) {
                satisfiable.add(new Span(s.first(), Math.min(s.last(), length - 1)));
            }
        }
        if (satisfiable.isEmpty()) {
            return new Unsatisfiable();
        }
        return overlap(satisfiable) ? WHOLE : new Parts(List.copyOf(satisfiable));
    }

    /**
     * The ranges of a {@code bytes} ranges-specifier, a suffix range already turned into its span of a
     * representation of {@code length} bytes; null when the header is to be ignored.
     */
    private static List<Span> parse(String header, long length) {
        String value = header.strip();
        int equals = value.indexOf('=');
        if (equals < 0 || !value.substring(0, equals).equalsIgnoreCase("bytes")) {
            return null; // not a ranges-specifier, or a unit other than bytes
        }
        List<Span> spans = new ArrayList<>();
        int elements = 0;
        for (String element : value.substring(equals + 1).split(",", -1)) {
            String spec = element.strip();
            if (spec.isEmpty()) {
                continue; // the list syntax allows empty elements
            }
            if (++elements > MAX_RANGES) {
                return null;
            }
            Span span = spec(spec, length);
            if (span == null) {
                return null;
            }
            spans.add(span);
        }
        return spans.isEmpty() ? null : spans;
    }

    /** One int-range or suffix-range; null for anything else, or for a last-pos below its first-pos. */
    private static Span spec(String spec, long length) {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String first = spec.substring(0, dash);
        String last = spec.substring(dash + 1);
        if (first.isEmpty()) {
            long suffix = digits(last);
            if (suffix < 0) {
                return null;
            }
            // A suffix of 0 bytes selects nothing; it becomes a span past the end, so it counts as unsatisfiable.
            return suffix == 0 ? new Span(length, length) : new Span(Math.max(0, length - suffix), length - 1);
        }
        long from = digits(first);
        long to = last.isEmpty() ? Long.MAX_VALUE : digits(last);
        if (from < 0 || to < 0 || to < from) {
            return null;
        }
        return new Span(from, to);
    }

    /** A run of ASCII digits as a number, saturated at Long.MAX_VALUE; -1 if it is not one. */
    private static long digits(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n > (Long.MAX_VALUE - (c - '0')) / 10 ? Long.MAX_VALUE : n * 10 + (c - '0');
        }
        return n;
    }

    private static boolean overlap(List<Span> spans) {
        List<Span> sorted = spans.stream().sorted(Comparator.comparingLong(Span::first)).toList();
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).first() <= sorted.get(i - 1).last()) {
                return true;
            }
        }
        return false;
    }
}
