package io.shears.catalog;

import java.time.Instant;
import java.util.List;

/**
 * An uploaded dataset as the API shows it. {@code imageShape} is channels × height × width of the images as stored
 * (before a job's preprocessing); {@code valFromArchive} says whether the archive had its own validation split or
 * a seeded stratified 10% of train was held out.
 */
public record DatasetView(String id, String name, String sha256, long bytes, String format, List<String> classes,
                          int trainCount, int valCount, boolean valFromArchive, List<Integer> imageShape,
                          int skippedImages, Instant createdAt) {
}
