package io.shears.data;

/** A corrupt image that was skipped, by its path in the archive, and why. */
public record SkippedImage(String path, String reason) {
}
