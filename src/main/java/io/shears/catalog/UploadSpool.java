package io.shears.catalog;

import io.shears.server.ServiceException;
import io.shears.server.ShearsProperties;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams an upload to a file on disk, never into the heap, and stops as soon as it passes its size limit so an
 * oversized upload costs at most the limit in disk.
 */
@Component
public class UploadSpool {
    private final Path dir;

    public UploadSpool(ShearsProperties properties) throws IOException {
        this.dir = properties.dataDir().resolve("uploads");
        Files.createDirectories(dir);
    }

    /**
     * The upload's file; the caller deletes it when done. An upload that declares a length over the limit is
     * refused before a byte is read.
     *
     * @param declaredLength the request's Content-Length, or -1 when unknown
     */
    public Path receive(InputStream in, long declaredLength, long maxBytes, String what) throws IOException {
        if (declaredLength > maxBytes) {
            throw tooLarge(what, maxBytes);
        }
        Path file = Files.createTempFile(dir, what, ".upload");
        boolean ok = false;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge(what, maxBytes);
                }
                out.write(buffer, 0, n);
            }
            if (total == 0) {
                throw ServiceException.invalid("UPLOAD_EMPTY", "the " + what + " upload is empty");
            }
            ok = true;
            return file;
        } finally {
            if (!ok) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static ServiceException tooLarge(String what, long maxBytes) {
        return new ServiceException(ServiceException.Kind.TOO_LARGE, "UPLOAD_TOO_LARGE", "the " + what
                + " is larger than the " + maxBytes + "-byte upload limit");
    }
}
