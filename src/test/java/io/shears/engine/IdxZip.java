package io.shears.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes a tiny MNIST-layout IDX zip (train split only) for engine tests. */
public final class IdxZip {
    private IdxZip() {
    }

    public static Path write(Path target, int rows, int cols, byte[][] images, int[] labels) {
        ByteBuffer img = ByteBuffer.allocate(16 + images.length * rows * cols);
        img.putInt(0x00000803).putInt(images.length).putInt(rows).putInt(cols);
        for (byte[] image : images) {
            img.put(image);
        }
        ByteBuffer lab = ByteBuffer.allocate(8 + labels.length);
        lab.putInt(0x00000801).putInt(labels.length);
        for (int l : labels) {
            lab.put((byte) l);
        }
        try (OutputStream file = Files.newOutputStream(target); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("train-images-idx3-ubyte"));
            zip.write(img.array());
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("train-labels-idx1-ubyte"));
            zip.write(lab.array());
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
