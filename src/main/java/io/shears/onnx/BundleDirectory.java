package io.shears.onnx;

import io.shears.files.FileTrees;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipMethod;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A model bundle (zip or tar.gz) unpacked into a private temporary directory, deleted on close. Every entry is checked
 * before a byte is written: no absolute paths, no {@code ..}, no links, and the total stays under the model limit
 * (which also stops zip bombs, since the count is of extracted bytes).
 */
final class BundleDirectory implements AutoCloseable {
    /**
     * The zip compression methods whose codecs ship with commons-compress. It also claims zstd, whose codec is an
     * optional library that is not on the class path: such an entry fails deep in the reader (a missing class, or no
     * stream at all when the entry's sizes follow its data), so it is refused by its method before it is read.
     */
    private static final Set<Integer> BUILT_IN_ZIP_METHODS = Set.of(ZipMethod.STORED.getCode(),
            ZipMethod.DEFLATED.getCode(), ZipMethod.ENHANCED_DEFLATED.getCode(), ZipMethod.BZIP2.getCode());

    private final Path root;
    private final Path modelFile;

    private BundleDirectory(Path root, Path modelFile) {
        this.root = root;
        this.modelFile = modelFile;
    }

    static BundleDirectory extract(Path bundle, ModelLimits limits) throws IOException {
        Path root = Files.createTempDirectory("shears-bundle-");
        try {
            List<Path> models = new ArrayList<>();
            try (ArchiveInputStream<? extends ArchiveEntry> in = open(bundle)) {
                long total = 0;
                ArchiveEntry entry;
                while ((entry = in.getNextEntry()) != null) {
                    if (entry.isDirectory()) {
                        continue;
                    }
                    // TarArchiveEntry.isFile() is also true for symbolic and hard links, so ask for those explicitly
                    if (entry instanceof TarArchiveEntry tar && (!tar.isFile() || tar.isSymbolicLink() || tar.isLink()
                            || tar.isCharacterDevice() || tar.isBlockDevice() || tar.isFIFO())) {
                        throw new InvalidModelException(ModelProblem.BUNDLE_INVALID,
                                "bundle entry '" + entry.getName() + "' is a link or device; only plain files are allowed");
                    }
                    if (entry instanceof ZipArchiveEntry zip && (!((ZipArchiveInputStream) in).canReadEntryData(zip)
                            || !BUILT_IN_ZIP_METHODS.contains(zip.getMethod()))) {
                        throw new InvalidModelException(ModelProblem.BUNDLE_INVALID, "bundle entry '" + entry.getName()
                                + "' is encrypted or uses an unsupported compression method (" + zip.getMethod() + ")");
                    }
                    Path target = resolveInside(root, entry.getName());
                    Files.createDirectories(target.getParent());
                    total += copyBounded(in, target, limits.maxBytes() - total, limits);
                    if (target.getFileName().toString().endsWith(".onnx")) {
                        models.add(target);
                    }
                }
            }
            return new BundleDirectory(root, chooseModel(root, models));
        } catch (IOException e) {
            deleteTree(root);
            throw new InvalidModelException(ModelProblem.BUNDLE_INVALID, "bundle does not unpack: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteTree(root);
            throw e;
        }
    }

    private static ArchiveInputStream<? extends ArchiveEntry> open(Path bundle) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(bundle), 1 << 16);
        if (ModelReader.ArchiveFormat.detect(bundle) == ModelReader.ArchiveFormat.ZIP) {
            return new ZipArchiveInputStream(raw) {
                // commons-compress opens a zstd entry as soon as it reaches it, and its zstd codec is an optional
                // library that is not on the class path
                @Override
                protected InputStream createZstdInputStream(InputStream in) throws IOException {
                    throw new IOException("a zip entry uses zstd compression, which is not supported");
                }
            };
        }
        return new TarArchiveInputStream(new GzipCompressorInputStream(raw));
    }

    /** Resolves an archive entry name under root, refusing any name that would land outside it. */
    static Path resolveInside(Path root, String name) {
        Path relative;
        try {
            relative = Path.of(name.replace('\\', '/')).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidModelException(ModelProblem.BUNDLE_INVALID, "bundle entry '" + name + "' is not a path");
        }
        Path target = root.resolve(relative).normalize();
        if (relative.isAbsolute() || relative.startsWith("..") || !target.startsWith(root)) {
            throw new InvalidModelException(ModelProblem.EXTERNAL_DATA_OUTSIDE_BUNDLE,
                    "bundle path '" + name + "' leaves the bundle");
        }
        return target;
    }

    private static long copyBounded(InputStream in, Path target, long remaining, ModelLimits limits) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(target)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                written += n;
                if (written > remaining) {
                    throw new InvalidModelException(ModelProblem.MODEL_TOO_LARGE,
                            "bundle unpacks to more than the limit of " + limits.maxBytes() + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
        return written;
    }

    private static Path chooseModel(Path root, List<Path> models) {
        if (models.isEmpty()) {
            throw new InvalidModelException(ModelProblem.BUNDLE_INVALID, "bundle holds no .onnx file");
        }
        Path preferred = root.resolve("model.onnx");
        if (models.contains(preferred)) {
            return preferred;
        }
        if (models.size() > 1) {
            throw new InvalidModelException(ModelProblem.BUNDLE_INVALID,
                    "bundle holds " + models.size() + " .onnx files and none is model.onnx at its root");
        }
        return models.get(0);
    }

    Path root() {
        return root;
    }

    Path modelFile() {
        return modelFile;
    }

    @Override
    public void close() {
        deleteTree(root);
    }

    private static void deleteTree(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
