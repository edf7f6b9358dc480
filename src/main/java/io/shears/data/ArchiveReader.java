package io.shears.data;

import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.archivers.zip.ZipMethod;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;

/**
 * Reads a zip, tar.gz or tar archive front to back, once, as a stream: entries are handed to a {@link Visitor} in
 * archive order and never extracted under their own names. Every entry name is checked (no absolute paths, no
 * {@code ..}, no links or devices), and every byte the archive unpacks to is counted, read or skipped: the total
 * against {@link DatasetLimits#maxTotalBytes()}, and each entry's unpacked bytes against its compressed bytes times
 * {@link DatasetLimits#maxCompressionRatio()} (a zip bomb is stopped within its first few megabytes). The format is
 * told by the first bytes of the file, never by its name.
 */
final class ArchiveReader {
    enum Format { ZIP, TAR_GZ, TAR }

    interface Visitor {
        void directory(String path);

        /** A plain file; the visitor reads from {@code entry} what it needs, the rest is skipped (and counted). */
        void file(String path, Entry entry) throws IOException;
    }

    /**
     * The zip compression methods whose codecs ship with commons-compress. It also claims zstd, whose codec is an
     * optional library that is not on the class path: such an entry fails deep in the reader (a missing class, or no
     * stream at all when the entry's sizes follow its data), so it is refused by its method before it is read.
     */
    private static final Set<Integer> BUILT_IN_ZIP_METHODS = Set.of(ZipMethod.STORED.getCode(),
            ZipMethod.DEFLATED.getCode(), ZipMethod.ENHANCED_DEFLATED.getCode(), ZipMethod.BZIP2.getCode());

    private final DatasetLimits limits;
    private long totalBytes;
    private long entries;

    private ArchiveReader(DatasetLimits limits) {
        this.limits = limits;
    }

    static Format detect(Path archive) {
        byte[] head = new byte[512];
        int n;
        try (InputStream in = Files.newInputStream(archive)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + archive + ": " + e.getMessage(), e);
        }
        // PK 3 4 starts a zip with entries, PK 5 6 an empty one (end of central directory only)
        if (n >= 4 && head[0] == 'P' && head[1] == 'K'
                && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6)) {
            return Format.ZIP;
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Format.TAR_GZ;
        }
        if (n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            return Format.TAR;
        }
        throw new DatasetException(DatasetProblem.DATASET_UNSUPPORTED_FORMAT,
                "dataset must be a zip, tar.gz or tar archive; the upload starts with "
                        + (n == 0 ? "nothing (empty file)" : "0x" + HexFormat.of().formatHex(head, 0, Math.min(n, 8))));
    }

    /** Reads the whole archive; returns the number of bytes it unpacked to. */
    static long read(Path archive, DatasetLimits limits, Visitor visitor) {
        Format format = detect(archive);
        ArchiveReader reader = new ArchiveReader(limits);
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
            switch (format) {
                case ZIP -> {
                    refuseZipLinks(archive);
                    ZipArchiveInputStream zip = new ZipArchiveInputStream(file, "UTF-8", true, true) {
                        // commons-compress opens a zstd entry as soon as it reaches it, before canReadEntryData
                        // could refuse it, and its zstd codec is an optional library that is not on the class path
                        @Override
                        protected InputStream createZstdInputStream(InputStream in) {
                            throw new DatasetException(DatasetProblem.DATASET_UNSUPPORTED_FORMAT,
                                    "a zip entry uses zstd compression, which is not supported");
                        }
                    };
                    reader.readEntries(zip, zip::getCompressedCount, true, visitor);
                }
                case TAR_GZ -> {
                    GzipCompressorInputStream gz = new GzipCompressorInputStream(file, true);
                    TarArchiveInputStream tar = new TarArchiveInputStream(gz);
                    reader.readEntries(tar, gz::getCompressedCount, false, visitor);
                }
                case TAR -> {
                    TarArchiveInputStream tar = new TarArchiveInputStream(file);
                    reader.readEntries(tar, tar::getBytesRead, false, visitor);
                }
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted() || e.getCause() instanceof ClosedByInterruptException
                    || e instanceof InterruptedIOException || e instanceof ClosedByInterruptException) {
                CancellationException c = new CancellationException("interrupted while reading " + archive);
                c.initCause(e);
                throw c;
            }
            throw new DatasetException(DatasetProblem.DATASET_ARCHIVE_CORRUPT, "the archive does not read as " + format.name().toLowerCase().replace('_', '.') + ": " + e.getMessage(), e);
        }
        return reader.totalBytes;
    }

    private void readEntries(ArchiveInputStream<? extends ArchiveEntry> in, LongSupplier compressedCount,
                             boolean countIsPerEntry, Visitor visitor) throws IOException {
        ArchiveEntry entry;
        String current = "(start of archive)";
        try {
            while ((entry = in.getNextEntry()) != null) {
                current = entry.getName();
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("interrupted while reading the archive, at entry '" + current
                            + "'");
                }
                if (++entries > limits.maxEntries()) {
                    throw new DatasetException(DatasetProblem.DATASET_TOO_LARGE,
                            "archive holds more than " + limits.maxEntries() + " entries");
                }
                checkKind(entry);
                String path = EntryPaths.normalise(entry.getName());
                if (entry.isDirectory()) {
                    if (!path.isEmpty()) {
                        visitor.directory(path);
                    }
                    continue;
                }
                if (entry instanceof ZipArchiveEntry zipEntry
                        && (!((ZipArchiveInputStream) in).canReadEntryData(zipEntry)
                        || !BUILT_IN_ZIP_METHODS.contains(zipEntry.getMethod()))) {
                    throw new DatasetException(DatasetProblem.DATASET_UNSUPPORTED_FORMAT, "zip entry '"
                            + entry.getName() + "' is encrypted or uses an unsupported compression method ("
                            + zipEntry.getMethod() + ")");
                }
                long start = countIsPerEntry ? 0 : compressedCount.getAsLong();
                Entry e = new Entry(path, in, () -> compressedCount.getAsLong() - start);
                visitor.file(path, e);
                e.drain();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException || e instanceof UncheckedIOException
                    || e instanceof CancellationException || e instanceof ClosedByInterruptException) {
                throw e;
            }
            throw new IOException(e.getMessage() + " (at entry '" + current + "')", e);
        }
    }

    /**
     * A zip marks a symbolic link only in its central directory, at the end of the file, which the streaming reader
     * never sees: without this look it would read the link as a file holding the target's name.
     */
    private static void refuseZipLinks(Path archive) {
        try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
            for (ZipArchiveEntry entry : java.util.Collections.list(zip.getEntries())) {
                checkKind(entry);
            }
        } catch (IOException unreadableDirectory) {
            // The streaming read below decides whether such an archive can be read at all.
        }
    }

    private static void checkKind(ArchiveEntry entry) {
        String why = null;
        if (entry instanceof TarArchiveEntry tar) {
            // TarArchiveEntry.isFile() is also true for links, so ask for those explicitly
            if (tar.isSymbolicLink() || tar.isLink()) {
                why = "is a link to '" + tar.getLinkName() + "'";
            } else if (tar.isCharacterDevice() || tar.isBlockDevice() || tar.isFIFO()) {
                why = "is a device or pipe";
            } else if (!tar.isFile() && !tar.isDirectory()) {
                why = "is not a plain file or folder";
            }
        } else if (entry instanceof ZipArchiveEntry zip && zip.isUnixSymlink()) {
            why = "is a symbolic link";
        }
        if (why != null) {
            throw new DatasetException(DatasetProblem.DATASET_UNSAFE_PATH, "archive entry '" + entry.getName() + "' "
                    + why + "; only plain files and folders are allowed");
        }
    }

    /** One file entry of the archive, readable once. */
    final class Entry {
        private final String path;
        private final InputStream archive;
        private final LongSupplier compressed;
        private long produced;
        private boolean opened;

        private Entry(String path, InputStream archive, LongSupplier compressed) {
            this.path = path;
            this.archive = archive;
            this.compressed = compressed;
        }

        /** The entry's bytes as stored. */
        InputStream raw() {
            opened = true;
            return new Counted(new Unclosable(archive));
        }

        /** The entry's bytes, gunzipped when they start with the gzip magic number. */
        InputStream content() throws IOException {
            opened = true;
            PushbackInputStream in = new PushbackInputStream(new Unclosable(archive), 2);
            byte[] head = in.readNBytes(2);
            in.unread(head);
            if (head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return new Counted(new GZIPInputStream(in, 1 << 16));
            }
            return new Counted(in);
        }

        /** Reads what the visitor left, so that skipped bytes count against the limits too. */
        private void drain() throws IOException {
            InputStream rest = new Counted(new Unclosable(archive));
            byte[] buffer = new byte[1 << 16];
            while (rest.read(buffer) >= 0) {
                // counted by the stream
            }
        }

        private void count(long n) {
            produced += n;
            totalBytes += n;
            if (totalBytes > limits.maxTotalBytes()) {
                throw new DatasetException(DatasetProblem.DATASET_TOO_LARGE, "archive unpacks to more than the limit"
                        + " of " + limits.maxTotalBytes() + " bytes (reached in entry '" + path + "')");
            }
            if (produced > limits.ratioGraceBytes()) {
                long c = compressed.getAsLong();
                if (c >= 0 && produced > limits.maxCompressionRatio() * Math.max(c, 1)) {
                    throw new DatasetException(DatasetProblem.DATASET_ZIP_BOMB, "archive entry '" + path
                            + "' unpacks to more than " + (long) limits.maxCompressionRatio() + " times its compressed"
                            + " size (" + produced + " bytes from " + c + "); refused as a zip bomb");
                }
            }
        }

        String path() {
            return path;
        }

        boolean opened() {
            return opened;
        }

        /** Counts every byte read through it. */
        private final class Counted extends FilterInputStream {
            Counted(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    count(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                byte[] buffer = new byte[(int) Math.min(n, 1 << 16)];
                long skipped = 0;
                while (skipped < n) {
                    int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                    if (r < 0) {
                        break;
                    }
                    skipped += r;
                }
                return skipped;
            }

            @Override
            public boolean markSupported() {
                return false;
            }
        }
    }

    /** Keeps a visitor from closing the archive stream. */
    private static final class Unclosable extends FilterInputStream {
        Unclosable(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
