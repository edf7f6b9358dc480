package io.shears.catalog;

import io.shears.config.ServiceException;
import io.shears.config.ShearsProperties;
import io.shears.files.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Streams an upload to a file on disk, never into the heap, and stops as soon as it passes its size limit so an
 * oversized upload costs at most the limit in disk. It owns {@code <data-dir>/uploads}: the upload files and the
 * scratch directories that dataset analysis spools into.
 *
 * <p>A process killed mid-upload (kill -9, out of memory) never deletes its files, so at start-up every file and
 * directory this class names ({@code model<n>.upload}, {@code dataset<n>.upload}, {@code dataset-check<n>/}) that was
 * last written before this process started is removed: no upload of this process can be that old, and in the shipped
 * deployments (an H2 data directory admits one process; each container and pod has a data directory of its own) no
 * other process writes there. Anything else in the directory is left alone.
 */
@Component
public class UploadSpool {
    private static final Logger log = LoggerFactory.getLogger(UploadSpool.class);
    private static final String ANALYSIS_PREFIX = "dataset-check";
    private static final Pattern OWN_FILE = Pattern.compile("(model|dataset)[0-9]+\\.upload");
    private static final Pattern OWN_DIRECTORY = Pattern.compile(Pattern.quote(ANALYSIS_PREFIX) + "[0-9]+");

    private final Path dir;

    @Autowired
    public UploadSpool(ShearsProperties properties) throws IOException {
        this(properties.dataDir().resolve("uploads"), ProcessHandle.current().info().startInstant()
                .orElse(Instant.now()));
    }

    UploadSpool(Path dir, Instant processStart) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        int removed = removeLeftovers(processStart);
        if (removed > 0) {
            log.info("Removed {} upload file(s) left in {} by a process that stopped mid-upload", removed, dir);
        }
    }

    /**
     * The upload's file; the caller deletes it when done. An upload that declares a length over the limit is
     * refused before a byte is read.
     *
     * @param declaredLength the request's Content-Length, or -1 when unknown
     */
    public Path receive(InputStream in, long declaredLength, long maxBytes, String what) throws IOException {
        if (declaredLength > maxBytes) {
            throw tooLarge(what, maxBytes);
        }
        Path file = Files.createTempFile(dir, what, ".upload");
        boolean ok = false;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge(what, maxBytes);
                }
                out.write(buffer, 0, n);
            }
            if (total == 0) {
                throw ServiceException.invalid("UPLOAD_EMPTY", "the " + what + " upload is empty");
            }
            ok = true;
            return file;
        } finally {
            if (!ok) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** A fresh directory for a dataset analysis to spool into; the caller deletes it with {@link #delete(Path)}. */
    public Path analysisDirectory() throws IOException {
        return Files.createTempDirectory(dir, ANALYSIS_PREFIX);
    }

    private int removeLeftovers(Instant processStart) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                boolean own = Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS) && OWN_FILE.matcher(name).matches()
                        || Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                        && OWN_DIRECTORY.matcher(name).matches();
                if (own && lastWrittenBefore(entry, processStart)) {
                    try {
                        FileTrees.delete(entry);
                        removed++;
                    } catch (IOException | UncheckedIOException e) {
                        log.warn("Cannot remove the leftover upload file {}: {}", entry, e.getMessage());
                    }
                }
            }
        }
        return removed;
    }

    /** Whether the entry, and for a directory everything in it, was last written before {@code instant}. */
    private static boolean lastWrittenBefore(Path entry, Instant instant) throws IOException {
        try (Stream<Path> walk = Files.walk(entry)) {
            List<Path> all = walk.toList();
            for (Path p : all) {
                if (!Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(instant)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static ServiceException tooLarge(String what, long maxBytes) {
        return new ServiceException(ServiceException.Kind.TOO_LARGE, "UPLOAD_TOO_LARGE", "the " + what
                + " is larger than the " + maxBytes + "-byte upload limit");
    }
}
