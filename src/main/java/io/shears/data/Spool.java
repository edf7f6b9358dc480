package io.shears.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CancellationException;

/**
 * One private temporary file that the archive's useful bytes are appended to during the single streaming pass, and
 * read back by position afterwards. Positional reads ({@link FileChannel#read(ByteBuffer, long)}) are safe from
 * several threads at once. The file is deleted on {@link #close()}.
 *
 * <p>A thread interrupted while it reads gets a {@link CancellationException}; the interrupt closes the channel (so
 * {@code FileChannel} is made), and the next read reopens it, so that one cancelled reader does not break the others.
 */
final class Spool implements AutoCloseable {
    private final Path file;
    private volatile FileChannel channel;
    private volatile boolean closed;
    private long size;

    Spool(Path directory) {
        try {
            Path dir = directory != null ? directory : Path.of(System.getProperty("java.io.tmpdir"));
            Files.createDirectories(dir);
            file = Files.createTempFile(dir, "shears-dataset-", ".spool");
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            file.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the dataset spool file: " + e.getMessage(), e);
        }
    }

    /** Appends {@code bytes}; returns their offset. */
    long append(byte[] bytes, int length) {
        long offset = size;
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
            while (buffer.hasRemaining()) {
                size += channel().write(buffer, size);
            }
        } catch (ClosedByInterruptException e) {
            throw cancelled(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dataset spool file " + file + ": " + e.getMessage(), e);
        }
        return offset;
    }

    /** Appends everything {@code in} yields; returns the offset (the length is {@code size()} minus it). */
    long append(InputStream in) throws IOException {
        long offset = size;
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
            append(buffer, n);
        }
        return offset;
    }

    long size() {
        return size;
    }

    byte[] read(long offset, int length) {
        byte[] bytes = new byte[length];
        read(offset, bytes, 0, length);
        return bytes;
    }

    void read(long offset, byte[] into, int at, int length) {
        read(offset, ByteBuffer.wrap(into, at, length));
    }

    /** Fills {@code buffer} from its position to its limit with the bytes at {@code offset}. */
    void read(long offset, ByteBuffer buffer) {
        int length = buffer.remaining();
        if (offset < 0 || offset + length > size) {
            throw new IndexOutOfBoundsException("spool read " + offset + "+" + length + " past " + size);
        }
        try {
            long position = offset;
            while (buffer.hasRemaining()) {
                int n = channel().read(buffer, position);
                if (n < 0) {
                    throw new IOException("unexpected end of spool file");
                }
                position += n;
            }
        } catch (ClosedByInterruptException e) {
            throw cancelled(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dataset spool file " + file + ": " + e.getMessage(), e);
        }
    }

    private FileChannel channel() throws IOException {
        FileChannel c = channel;
        if (c.isOpen() || closed) {
            return c;
        }
        synchronized (this) {
            if (!channel.isOpen() && !closed) {
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            return channel;
        }
    }

    private static CancellationException cancelled(Exception e) {
        CancellationException c = new CancellationException("interrupted while reading the dataset");
        c.initCause(e);
        return c;
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        closed = true;
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
