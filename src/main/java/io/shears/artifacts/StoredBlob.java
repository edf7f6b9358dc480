package io.shears.artifacts;

/** A blob in the store: its content address (lower-case hex SHA-256) and length. */
public record StoredBlob(String sha256, long bytes) {
    public StoredBlob {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 hex digest: " + sha256);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("negative length " + bytes);
        }
    }
}
