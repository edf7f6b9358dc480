package io.shears.engine;

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
 * The dataset {@link EngineWarmUp} trains on: an MNIST-layout IDX zip (a train and a t10k split) of grey noise in
 * which each class lights one quadrant of the image, so the model has something to learn. Drawn from a fixed seed.
 */
final class WarmUpImages {
    /** One class per quadrant. */
    static final int CLASSES = 4;

    private WarmUpImages() {
    }

    /** Writes {@code train} and {@code validation} images of {@code side}×{@code side} to {@code zip}. */
    static Path write(Path zip, int side, int train, int validation, long seed) {
        Random random = new Random(seed);
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            split(out, "train", side, train, random);
            split(out, "t10k", side, validation, random);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return zip;
    }

    private static void split(ZipOutputStream out, String prefix, int side, int count, Random random)
            throws IOException {
        ByteBuffer images = ByteBuffer.allocate(16 + count * side * side)
                .putInt(0x00000803).putInt(count).putInt(side).putInt(side);
        ByteBuffer labels = ByteBuffer.allocate(8 + count).putInt(0x00000801).putInt(count);
        int half = side / 2;
        for (int i = 0; i < count; i++) {
            int label = i % CLASSES;
            labels.put((byte) label);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int quadrant = (y < half ? 0 : 2) + (x < half ? 0 : 1);
                    int base = quadrant == label ? 160 : 40;
                    images.put((byte) (base + random.nextInt(64)));
                }
            }
        }
        entry(out, prefix + "-images-idx3-ubyte", images.array());
        entry(out, prefix + "-labels-idx1-ubyte", labels.array());
    }

    private static void entry(ZipOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(bytes);
        out.closeEntry();
    }
}
