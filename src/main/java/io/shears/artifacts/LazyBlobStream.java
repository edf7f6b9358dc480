package io.shears.artifacts;

import java.io.IOException;
import java.io.InputStream;

/**
 * A blob, or a span of it, opened at its first read, from wherever {@link #skip} moved to before it. An HTTP Range
 * response reads from the range's start; with this stream the store opens the blob at that offset, so S3 sends only
 * the bytes from there on instead of the whole prefix that a skip on its response would read and discard. A span
 * ends where it says, so a reader of one part of a multipart answer stops at that part's last byte.
 */
public final class LazyBlobStream extends InputStream {
    private final ArtifactStore store;
    private final String sha256;
    private final long end;
    private long position;
    private InputStream open;
    private boolean closed;

    /** @param length the blob's length, which bounds {@link #skip} before the blob is open */
    public LazyBlobStream(ArtifactStore store, String sha256, long length) {
        this(store, sha256, 0, length);
    }

    /** The {@code count} bytes of the blob from offset {@code first} on. */
    public LazyBlobStream(ArtifactStore store, String sha256, long first, long count) {
        if (first < 0 || count < 0) {
            throw new IllegalArgumentException("no span of " + count + " bytes at " + first);
        }
        this.store = store;
        this.sha256 = sha256;
        this.position = first;
        this.end = first + count;
    }

    @Override
    public long skip(long n) throws IOException {
        long wanted = Math.max(0, Math.min(n, end - position));
        long skipped = open != null ? open.skip(wanted) : wanted;
        position += skipped;
        return skipped;
    }

    @Override
    public int read() throws IOException {
        if (position >= end) {
            return -1;
        }
        int b = stream().read();
        if (b >= 0) {
            position++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position >= end) {
            return -1;
        }
        int n = stream().read(b, off, (int) Math.min(len, end - position));
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (open != null) {
            open.close();
        }
    }

    private InputStream stream() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (open == null) {
            open = store.open(sha256, position);
        }
        return open;
    }
}
