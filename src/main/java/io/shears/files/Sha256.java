package io.shears.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 in lower-case hex: the content address of stored blobs, model fingerprints and stored key hashes. */
public final class Sha256 {
    private Sha256() {
    }

    /** A fresh digest, for a caller that hashes while it reads or writes. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The digest's value in hex; resets the digest. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String of(byte[] bytes) {
        MessageDigest digest = newDigest();
        digest.update(bytes);
        return hex(digest);
    }

    public static String of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = newDigest();
            digestAll(in, digest);
            return hex(digest);
        }
    }

    /** Reads the stream to its end into {@code digest} and returns the number of bytes; the caller closes it. */
    public static long digestAll(InputStream in, MessageDigest digest) throws IOException {
        return new DigestInputStream(in, digest).transferTo(OutputStream.nullOutputStream());
    }
}
