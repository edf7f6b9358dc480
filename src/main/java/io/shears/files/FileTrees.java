package io.shears.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes whole directory trees: work directories, unpacked bundles, upload spools. */
public final class FileTrees {
    /** Walks of a tree that another thread is deleting at the same time, before giving up. */
    private static final int WALKS = 5;

    private FileTrees() {
    }

    /**
     * Deletes a file or a directory with everything in it; a path that does not exist is left as it is. A symbolic
     * link is deleted, never followed. Another thread may delete parts of the tree meanwhile (a worker cleaning up the
     * job that is being deleted): what vanishes during the walk is walked again, not an error.
     */
    public static void delete(Path path) throws IOException {
        for (int walk = 1; ; walk++) {
            try {
                deleteOnce(path);
                return;
            } catch (NoSuchFileException e) {
                if (walk == WALKS) {
                    throw e;
                }
            }
        }
    }

    private static void deleteOnce(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
