package io.shears.artifacts;

import java.io.IOException;
import java.io.InputStream;

/**
 * A blob opened at its first read, from wherever {@link #skip} moved to before it. An HTTP Range response skips to
 * the range's start and then reads; with this stream the store opens the blob at that offset, so S3 sends only the
 * bytes from there on instead of the whole prefix that a skip on its response would read and discard.
 */
public final class LazyBlobStream extends InputStream {
    private final ArtifactStore store;
    private final String sha256;
    private final long length;
    private long position;
    private InputStream open;
    private boolean closed;

    /** @param length the blob's length, which bounds {@link #skip} before the blob is open */
    public LazyBlobStream(ArtifactStore store, String sha256, long length) {
        this.store = store;
        this.sha256 = sha256;
        this.length = length;
    }

    @Override
    public long skip(long n) throws IOException {
        if (open != null) {
            return open.skip(n);
        }
        long skipped = Math.max(0, Math.min(n, length - position));
        position += skipped;
        return skipped;
    }

    @Override
    public int read() throws IOException {
        return stream().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return stream().read(b, off, len);
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
