package io.shears.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files and streams, the store's content address. */
public final class BlobHashing {
    private BlobHashing() {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    public static StoredBlob of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return of(in);
        }
    }

    /** Reads the stream to its end; the caller closes it. */
    public static StoredBlob of(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        long bytes = new DigestInputStream(in, digest).transferTo(java.io.OutputStream.nullOutputStream());
        return new StoredBlob(hex(digest), bytes);
    }
}
