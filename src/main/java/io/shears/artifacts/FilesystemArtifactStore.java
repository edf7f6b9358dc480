package io.shears.artifacts;

import io.shears.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The embedded default: blobs under {@code root/sha256/ab/abcdef…}. A blob is copied to a temporary file in the same
 * file system, forced to disk, and renamed into place, so a crash leaves either nothing or the whole blob (plus, at
 * worst, a stray file under {@code tmp/}, which {@link #FilesystemArtifactStore} clears at start).
 */
public final class FilesystemArtifactStore implements ArtifactStore {
    private final Path root;
    private final Path tmp;

    public FilesystemArtifactStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve("tmp");
        Files.createDirectories(this.root.resolve("sha256"));
        Files.createDirectories(tmp);
        try (var stale = Files.list(tmp)) {
            for (Path p : (Iterable<Path>) stale::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public StoredBlob put(Path file) throws IOException {
        StoredBlob blob = BlobHashing.of(file);
        Path target = pathOf(blob.sha256());
        if (Files.isRegularFile(target) && Files.size(target) == blob.bytes()) {
            return blob;
        }
        Path temp = Files.createTempFile(tmp, blob.sha256(), ".part");
        try {
            Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
            StoredBlob copied = BlobHashing.of(temp);
            if (!copied.equals(blob)) {
                throw new IOException("the file changed while it was stored: " + file);
            }
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.createDirectories(target.getParent());
            try {
                AtomicFiles.moveIntoPlace(temp, target);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the artifact directory must support atomic renames: " + root, e);
            }
            forceDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
        return blob;
    }

    @Override
    public Optional<Long> size(String sha256) throws IOException {
        Path p = pathOf(sha256);
        return Files.isRegularFile(p) ? Optional.of(Files.size(p)) : Optional.empty();
    }

    @Override
    public InputStream open(String sha256, long offset) throws IOException {
        Path p = pathOf(sha256);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException("no blob " + sha256);
        }
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
        ch.position(offset);
        return java.nio.channels.Channels.newInputStream(ch);
    }

    @Override
    public Path localFile(String sha256, Path cacheDir) throws IOException {
        Path p = pathOf(sha256);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException("no blob " + sha256);
        }
        return p;
    }

    @Override
    public void delete(String sha256) throws IOException {
        Files.deleteIfExists(pathOf(sha256));
    }

    private Path pathOf(String sha256) {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 hex digest: " + sha256);
        }
        return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    /** A rename is durable only once its directory entry is on disk. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot open directories; the rename itself is still atomic there.
        }
    }
}
