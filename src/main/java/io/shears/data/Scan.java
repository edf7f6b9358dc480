package io.shears.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The single streaming pass over an archive. Each entry is looked at as it comes and then forgotten:
 *
 * <ul>
 *   <li>an image that may belong to an ImageFolder layout ({@code [folder/]train|val/<class>/...}) is read into memory
 *       (it alone, at most {@link DatasetLimits#maxImageFileBytes()}), its declared size checked, decoded once to
 *       prove it decodes (subsampled to at most {@link ImageDecoder#CHECK_PIXELS} pixels: the check needs no more),
 *       and its <em>encoded</em> bytes appended to the spool; a corrupt one is only noted;</li>
 *   <li>an IDX file is gunzipped (when it is gzip) straight into the spool, in 64 KiB chunks;</li>
 *   <li>anything else is skipped (its bytes still count against the limits).</li>
 * </ul>
 *
 * What stays in memory is an index: per image its path, spool offset, length, size and whether it is grey, plus the
 * folder names down to class level. Which layout the archive holds, and so which images are used, is decided after
 * the pass ({@link ImageFolderLayout}, {@link IdxLayout}), since a zip's entries come in any order.
 */
final class Scan implements ArchiveReader.Visitor {
    private static final Pattern IDX_NAME = Pattern.compile(
            "(train|t10k)-(images|labels)[-.]idx[0-9]-ubyte(\\.gz)?", Pattern.CASE_INSENSITIVE);
    private static final int MAX_NAMES = 20;

    record Image(String path, long offset, int length, int width, int height, boolean grey) {
    }

    record IdxMember(String path, long offset, long length) {
    }

    final List<Image> images = new ArrayList<>();
    final List<SkippedImage> corrupt = new ArrayList<>();
    /** Folders down to depth 3 ({@code wrap/train/class}), from folder entries and from the files' parents. */
    final Set<String> dirs = new HashSet<>();
    /** IDX files by kind ({@code train-images}, {@code t10k-labels}, ...). */
    final Map<String, IdxMember> idx = new LinkedHashMap<>();
    /** Images directly in a {@code train/} or {@code val/} folder, outside any class folder (first few). */
    final List<String> loose = new ArrayList<>();
    final TreeSet<String> topLevel = new TreeSet<>();
    long files;
    long bytes;

    private final DatasetLimits limits;
    private final Spool spool;
    private final AtomicLong decodes;

    private Scan(DatasetLimits limits, Spool spool, AtomicLong decodes) {
        this.limits = limits;
        this.spool = spool;
        this.decodes = decodes;
    }

    static Scan run(Path archive, DatasetLimits limits, Spool spool, AtomicLong decodes) {
        Scan scan = new Scan(limits, spool, decodes);
        scan.bytes = ArchiveReader.read(archive, limits, scan);
        return scan;
    }

    @Override
    public void directory(String path) {
        if (EntryPaths.isNoise(path)) {
            return;
        }
        note(path, true);
    }

    @Override
    public void file(String path, ArchiveReader.Entry entry) throws IOException {
        if (EntryPaths.isNoise(path)) {
            return;
        }
        files++;
        note(path, false);
        String name = EntryPaths.fileName(path);
        Matcher m = IDX_NAME.matcher(name);
        if (m.matches()) {
            String kind = (m.group(1) + "-" + m.group(2)).toLowerCase(Locale.ROOT);
            IdxMember previous = idx.get(kind);
            if (previous != null) {
                throw new DatasetException(DatasetProblem.DATASET_LAYOUT_UNKNOWN, "archive holds two " + kind
                        + " IDX files: '" + previous.path() + "' and '" + path + "'");
            }
            long offset = spool.append(entry.content());
            idx.put(kind, new IdxMember(path, offset, spool.size() - offset));
            return;
        }
        if (!EntryPaths.isImageName(path)) {
            return;
        }
        String[] seg = path.split("/");
        boolean inClassFolder = isSplit(seg, 0) && seg.length >= 3 || isSplit(seg, 1) && seg.length >= 4;
        boolean outsideClassFolder = isSplit(seg, 0) && seg.length == 2 || isSplit(seg, 1) && seg.length == 3;
        if (outsideClassFolder && loose.size() < MAX_NAMES) {
            loose.add(path);
        }
        if (inClassFolder) {
            readImage(path, entry);
        }
    }

    private void readImage(String path, ArchiveReader.Entry entry) throws IOException {
        InputStream in = entry.raw();
        byte[] data = in.readNBytes((int) limits.maxImageFileBytes() + 1);
        if (data.length > limits.maxImageFileBytes()) {
            throw new DatasetException(DatasetProblem.DATASET_IMAGE_TOO_LARGE, "image file '" + path
                    + "' is larger than the limit of " + limits.maxImageFileBytes() + " bytes");
        }
        ImageDecoder.Decoded decoded;
        try {
            decodes.incrementAndGet();
            decoded = ImageDecoder.check(data, data.length, path, limits);
        } catch (ImageDecoder.Corrupt e) {
            corrupt.add(new SkippedImage(path, e.getMessage()));
            return;
        }
        long offset = spool.append(data, data.length);
        images.add(new Image(path, offset, data.length, decoded.fullWidth(), decoded.fullHeight(),
                ImageDecoder.isGrey(decoded.image())));
    }

    private void note(String path, boolean isDirectory) {
        String[] seg = path.split("/");
        if (topLevel.size() < MAX_NAMES) {
            topLevel.add(seg.length > 1 || isDirectory ? seg[0] + "/" : seg[0]);
        }
        int depth = Math.min(isDirectory ? seg.length : seg.length - 1, 3);
        StringBuilder dir = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                dir.append('/');
            }
            dir.append(seg[i]);
            dirs.add(dir.toString());
        }
    }

    private static boolean isSplit(String[] seg, int i) {
        return seg.length > i && (seg[i].equals("train") || seg[i].equals("val"));
    }
}
