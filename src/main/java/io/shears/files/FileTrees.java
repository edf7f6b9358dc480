package io.shears.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes whole directory trees: work directories, unpacked bundles, upload spools. */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * Deletes a file or a directory with everything in it; a path that does not exist is left as it is. A symbolic
     * link is deleted, never followed.
     */
    public static void delete(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
