package io.shears.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One fuzz input as the upload path sees it: a file on disk, read by the code under test, and a bound on the bytes
 * the thread allocates while doing so. Allocation is counted cumulatively (every object the thread creates, freed or
 * not), so staying under the bound proves the heap never held more for this input; a small input that makes a
 * reader size an array from a forged header fails here even when the heap happens to have room.
 */
public final class FuzzInput {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The code under test; it may throw the refusals the caller expects and lets through. */
    public interface Reader {
        void read(Path file) throws IOException;
    }

    private FuzzInput() {
    }

    /**
     * Writes {@code bytes} to a fresh file in a fresh directory (so bundle and archive readers see nothing else),
     * runs {@code reader} on it, deletes both, and fails with an {@link AssertionError} when the thread allocated more
     * than {@code maxAllocatedBytes}.
     */
    public static void read(byte[] bytes, String fileName, long maxAllocatedBytes, Reader reader) throws IOException {
        Path dir = Files.createTempDirectory("fuzz");
        Path file = dir.resolve(fileName);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            Files.write(file, bytes);
            reader.read(file);
        } catch (IOException | RuntimeException | Error e) {
            AssertionError overAllocated = overAllocated(bytes.length, before, maxAllocatedBytes);
            if (overAllocated != null) {
                overAllocated.addSuppressed(e);
                throw overAllocated;
            }
            throw e;
        } finally {
            deleteTree(dir);
        }
        AssertionError overAllocated = overAllocated(bytes.length, before, maxAllocatedBytes);
        if (overAllocated != null) {
            throw overAllocated;
        }
    }

    private static AssertionError overAllocated(int inputBytes, long before, long maxAllocatedBytes) {
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        return allocated <= maxAllocatedBytes ? null : new AssertionError("a " + inputBytes + "-byte input allocated "
                + allocated + " bytes; the bound is " + maxAllocatedBytes);
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
