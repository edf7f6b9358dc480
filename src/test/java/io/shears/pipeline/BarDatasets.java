package io.shears.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Tiny learnable IDX datasets for pipeline tests: class k is a bright horizontal bar at a row of its own plus seeded
 * noise, in grey square images, with a train split and an archive validation split (t10k files).
 */
final class BarDatasets {
    private BarDatasets() {
    }

    static Path write(Path target, int classes, int train, int val, int size, long seed) {
        Random random = new Random(seed);
        try (OutputStream file = Files.newOutputStream(target); ZipOutputStream zip = new ZipOutputStream(file)) {
            entries(zip, "train", classes, train, size, random);
            entries(zip, "t10k", classes, val, size, random);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    private static void entries(ZipOutputStream zip, String prefix, int classes, int count, int size, Random random)
            throws IOException {
        ByteBuffer images = ByteBuffer.allocate(16 + count * size * size);
        images.putInt(0x00000803).putInt(count).putInt(size).putInt(size);
        ByteBuffer labels = ByteBuffer.allocate(8 + count);
        labels.putInt(0x00000801).putInt(count);
        for (int i = 0; i < count; i++) {
            int label = i % classes;
            int bar = 1 + label * (size - 2) / classes;
            for (int p = 0; p < size * size; p++) {
                int v = random.nextInt(60) + (p / size == bar ? 190 : 0);
                images.put((byte) Math.min(255, v));
            }
            labels.put((byte) label);
        }
        zip.putNextEntry(new ZipEntry(prefix + "-images-idx3-ubyte"));
        zip.write(images.array());
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry(prefix + "-labels-idx1-ubyte"));
        zip.write(labels.array());
        zip.closeEntry();
    }
}
