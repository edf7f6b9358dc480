package io.shears.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The ImageFolder layout, as torchvision reads it: {@code train/<class>/...} and optionally {@code val/<class>/...},
 * at the archive's root or inside one folder (as zipping a folder makes). Classes are the sorted names of the class
 * folders of {@code train/}; images may sit deeper inside a class folder. {@code val/} must have the same classes.
 */
final class ImageFolderLayout {
    private static final int NAMES_IN_MESSAGE = 5;

    private ImageFolderLayout() {
    }

    /** The root ({@code ""} or {@code "folder/"}) that holds {@code train/<class>/}, or null when there is none. */
    static String root(Scan scan) {
        if (hasClassFolders(scan, "")) {
            return "";
        }
        Set<String> roots = new TreeSet<>();
        for (String dir : scan.dirs) {
            String[] seg = dir.split("/");
            if (seg.length == 2 && seg[1].equals("train") && hasClassFolders(scan, seg[0] + "/")) {
                roots.add(seg[0] + "/");
            }
        }
        if (roots.size() > 1) {
            throw new DatasetException(DatasetProblem.DATASET_LAYOUT_UNKNOWN, "several folders hold a train/ folder: "
                    + roots + "; the archive must hold one dataset");
        }
        if (roots.size() == 1) {
            return roots.iterator().next();
        }
        // a train/ folder without class folders: still the layout meant, reported as empty
        if (scan.dirs.contains("train")) {
            return "";
        }
        List<String> wrapped = scan.dirs.stream().filter(d -> d.matches("[^/]+/train")).sorted().toList();
        return wrapped.size() == 1 ? wrapped.get(0).substring(0, wrapped.get(0).length() - "train".length()) : null;
    }

    private static boolean hasClassFolders(Scan scan, String prefix) {
        return !children(scan.dirs, prefix + "train").isEmpty();
    }

    static Layout resolve(Scan scan, String prefix, DatasetOptions options, Spool spool) {
        DatasetLimits limits = options.limits();
        List<String> classes = children(scan.dirs, prefix + "train");
        Layout.checkClassCount(classes.size(), limits, prefix + "train/");
        boolean hasVal = scan.dirs.contains(prefix + "val");
        List<String> valClasses = hasVal ? children(scan.dirs, prefix + "val") : List.of();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            index.put(classes.get(i), i);
        }

        // which images and corrupt files are in a class folder of train/ or val/
        List<Integer> trainImages = new ArrayList<>();
        List<Integer> valImages = new ArrayList<>();
        for (int i = 0; i < scan.images.size(); i++) {
            String[] where = place(scan.images.get(i).path(), prefix);
            if (where != null) {
                (where[0].equals("train") ? trainImages : valImages).add(i);
            }
        }
        List<SkippedImage> skipped = scan.corrupt.stream()
                .filter(c -> place(c.path(), prefix) != null).toList();
        long total = trainImages.size() + valImages.size() + skipped.size();
        long allowed = limits.corruptAllowed(total);
        if (skipped.size() > allowed) {
            throw new DatasetException(DatasetProblem.DATASET_INVALID, skipped.size() + " of " + total
                    + " images are corrupt, more than the " + allowed + " tolerated (" + percent(limits) + "): "
                    + skipped.stream().limit(NAMES_IN_MESSAGE).map(s -> "'" + s.path() + "' (" + s.reason() + ")")
                    .collect(Collectors.joining(", ")) + more(skipped.size()));
        }

        if (classes.isEmpty()) {
            String hint = scan.loose.isEmpty() ? "" : "; images must be in " + prefix + "train/<class>/, found '"
                    + scan.loose.get(0) + "'";
            throw new DatasetException(DatasetProblem.DATASET_EMPTY, prefix + "train/ holds no class folders" + hint);
        }
        if (hasVal && !valClasses.equals(classes)) {
            Set<String> onlyTrain = new TreeSet<>(classes);
            valClasses.forEach(onlyTrain::remove);
            Set<String> onlyVal = new TreeSet<>(valClasses);
            classes.forEach(onlyVal::remove);
            throw new DatasetException(DatasetProblem.DATASET_CLASSES_MISMATCH, "the classes of " + prefix
                    + "val/ differ from those of " + prefix + "train/: only in train: " + onlyTrain + ", only in val: "
                    + onlyVal);
        }
        int[] trainRecords = canonical(scan, trainImages, prefix, index);
        int[] trainLabels = labelsOf(trainRecords, scan, prefix, index);
        checkNoEmptyClass(prefix + "train/", classes, trainLabels);
        Source source = new Source(scan.images, spool, limits, options.preprocessing());
        if (hasVal) {
            int[] valRecords = canonical(scan, valImages, prefix, index);
            int[] valLabels = labelsOf(valRecords, scan, prefix, index);
            checkNoEmptyClass(prefix + "val/", classes, valLabels);
            return new Layout(DatasetFormat.IMAGE_FOLDER, classes, trainRecords, trainLabels, valRecords, valLabels,
                    true, source, skipped);
        }
        return Layout.withHeldOut(DatasetFormat.IMAGE_FOLDER, classes, trainRecords, trainLabels,
                options.valFraction(), options.seed(), source, skipped);
    }

    /** {@code [split, class]} of a file inside a class folder under {@code prefix}, else null. */
    private static String[] place(String path, String prefix) {
        if (!path.startsWith(prefix)) {
            return null;
        }
        String[] seg = path.substring(prefix.length()).split("/", 3);
        if (seg.length < 3 || !seg[0].equals("train") && !seg[0].equals("val")) {
            return null;
        }
        return new String[] {seg[0], seg[1]};
    }

    private static int[] labelsOf(int[] records, Scan scan, String prefix, Map<String, Integer> index) {
        int[] labels = new int[records.length];
        for (int i = 0; i < records.length; i++) {
            labels[i] = index.get(place(scan.images.get(records[i]).path(), prefix)[1]);
        }
        return labels;
    }

    /** Records sorted by class, then path: the canonical order, independent of the archive's entry order. */
    private static int[] canonical(Scan scan, List<Integer> images, String prefix, Map<String, Integer> index) {
        int[] records = images.stream().mapToInt(Integer::intValue).toArray();
        int[] labels = labelsOf(records, scan, prefix, index);
        Integer[] order = new Integer[records.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> labels[i])
                .thenComparing(i -> scan.images.get(records[i]).path()));
        int[] sorted = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            sorted[i] = records[order[i]];
        }
        return sorted;
    }

    private static void checkNoEmptyClass(String where, List<String> classes, int[] labels) {
        int[] counts = new int[classes.size()];
        for (int label : labels) {
            counts[label]++;
        }
        List<String> empty = new ArrayList<>();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] == 0) {
                empty.add(where + classes.get(c));
            }
        }
        if (!empty.isEmpty()) {
            boolean several = empty.size() > 1;
            throw new DatasetException(DatasetProblem.DATASET_CLASS_EMPTY, "class folder" + (several ? "s " : " ")
                    + String.join(", ", empty) + (several ? " hold" : " holds") + " no usable image (png, jpg, jpeg)");
        }
    }

    /** The direct subfolders of {@code parent}, sorted. */
    static List<String> children(Set<String> dirs, String parent) {
        String p = parent + "/";
        return dirs.stream().filter(d -> d.startsWith(p) && d.indexOf('/', p.length()) < 0)
                .map(d -> d.substring(p.length())).sorted().toList();
    }

    private static String percent(DatasetLimits limits) {
        return "at most " + (limits.maxCorruptFraction() * 100) + "% or " + limits.maxCorruptCount();
    }

    private static String more(int n) {
        return n > NAMES_IN_MESSAGE ? " and " + (n - NAMES_IN_MESSAGE) + " more" : "";
    }

    /** Images in the spool, decoded again for every batch, subsampled as far as the preprocessing allows. */
    private record Source(List<Scan.Image> images, Spool spool, DatasetLimits limits, Preprocessing preprocessing)
            implements SampleSource {
        @Override
        public ImageDecoder.PixelSource load(int record) {
            Scan.Image image = images.get(record);
            byte[] bytes = spool.read(image.offset(), image.length());
            try {
                return ImageDecoder.pixels(ImageDecoder.decode(bytes, bytes.length, image.path(), limits,
                        (width, height) -> preprocessing.decodeStep(height, width)));
            } catch (ImageDecoder.Corrupt e) {
                // it decoded during the scan, from the same bytes
                throw new IllegalStateException("image '" + image.path() + "' no longer decodes: " + e.getMessage());
            }
        }

        @Override
        public String name(int record) {
            return images.get(record).path();
        }

        @Override
        public int width(int record) {
            return images.get(record).width();
        }

        @Override
        public int height(int record) {
            return images.get(record).height();
        }

        @Override
        public boolean grey(int record) {
            return images.get(record).grey();
        }
    }
}
