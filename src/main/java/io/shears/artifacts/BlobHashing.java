package io.shears.artifacts;

import io.shears.files.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/** The store's content address of a file or a stream: its SHA-256 and length. */
public final class BlobHashing {
    private BlobHashing() {
    }

    public static StoredBlob of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return of(in);
        }
    }

    /** Reads the stream to its end; the caller closes it. */
    public static StoredBlob of(InputStream in) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        long bytes = Sha256.digestAll(in, digest);
        return new StoredBlob(Sha256.hex(digest), bytes);
    }
}
