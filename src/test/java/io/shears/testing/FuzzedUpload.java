package io.shears.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;

/**
 * An upload path fed fuzz inputs: each input becomes a file on disk, read by the code under test, within bounds on
 * the bytes the thread allocates and on the time it takes. Allocation is counted cumulatively (every object the thread
 * creates, freed or not), so staying under the bound proves the heap never held more for this input; a small input
 * that makes a reader size an array from a forged header fails here even when the heap happens to have room. The time
 * is checked after the fact, so that a corpus input that became slow fails its regression run; a hang while fuzzing
 * is libFuzzer's to catch ({@code -timeout}, which {@code bench/fuzz.sh} sets to the same bound).
 */
public final class FuzzedUpload {
    /** The longest one input may take, as libFuzzer's {@code -timeout} in {@code bench/fuzz.sh}. */
    public static final Duration MAX_TIME = Duration.ofSeconds(10);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The code under test; it may throw the refusals the caller expects and lets through. */
    public interface Reader {
        void read(Path file) throws IOException;
    }

    private final String fileName;
    private final long maxAllocatedBytes;
    private final Reader reader;

    /**
     * @param fileName          the uploaded file's name (readers tell formats by content, not by name)
     * @param maxAllocatedBytes what one input may allocate once the classes it uses are loaded
     */
    public FuzzedUpload(String fileName, long maxAllocatedBytes, Reader reader) {
        this.fileName = fileName;
        this.maxAllocatedBytes = maxAllocatedBytes;
        this.reader = reader;
    }

    /**
     * Runs every seed once, unbounded, so that the classes the seeds use are loaded before allocation is measured:
     * class loading allocates on the loading thread, and while fuzzing Jazzer instruments each class as it loads.
     */
    public void loadClasses(Collection<byte[]> seeds) throws IOException {
        for (byte[] seed : seeds) {
            read(seed, Long.MAX_VALUE);
        }
    }

    /**
     * Writes {@code bytes} to a fresh file in a fresh directory (so bundle and archive readers see nothing else), runs
     * the reader on it, deletes both, and fails with an {@link AssertionError} when the thread allocated more than the
     * bound or the input took longer than {@link #MAX_TIME}.
     */
    public void read(byte[] bytes) throws IOException {
        read(bytes, maxAllocatedBytes);
    }

    /** Writes the seeds into a corpus directory (a path relative to the project directory). */
    public static void writeSeeds(Path corpus, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(corpus);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(corpus.resolve(seed.getKey()), seed.getValue());
        }
    }

    private void read(byte[] bytes, long allocationBound) throws IOException {
        Path dir = Files.createTempDirectory("fuzz");
        Path file = dir.resolve(fileName);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        try {
            Files.write(file, bytes);
            reader.read(file);
        } catch (IOException | RuntimeException | Error e) {
            AssertionError overAllocated = overAllocated(bytes.length, before, allocationBound);
            if (overAllocated != null) {
                overAllocated.addSuppressed(e);
                throw overAllocated;
            }
            throw e;
        } finally {
            deleteTree(dir);
        }
        AssertionError overAllocated = overAllocated(bytes.length, before, allocationBound);
        if (overAllocated != null) {
            throw overAllocated;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (took.compareTo(MAX_TIME) > 0) {
            throw new AssertionError("a " + bytes.length + "-byte input took " + took.toMillis() + " ms; the bound is "
                    + MAX_TIME.toMillis() + " ms");
        }
    }

    private static AssertionError overAllocated(int inputBytes, long before, long bound) {
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        return allocated <= bound ? null : new AssertionError("a " + inputBytes + "-byte input allocated " + allocated
                + " bytes; the bound is " + bound);
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
