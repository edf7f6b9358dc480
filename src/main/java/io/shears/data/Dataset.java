package io.shears.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A labelled image dataset read from an archive (zip, tar.gz or tar): an ImageFolder layout or MNIST-style IDX files,
 * with a training and a validation split, served as batches of preprocessed floats.
 *
 * <h2>Memory: one pass, a spool file, one batch decoded at a time</h2>
 * Opening streams the archive once, front to back ({@link Scan}); nothing of it is held in memory beyond the entry
 * being read. The bytes that matter, encoded images as they are in the archive and IDX pixel data gunzipped, are
 * appended to one private temporary file (the <em>spool</em>, deleted on {@link #close()}), and an index of offsets,
 * sizes and labels stays in memory (tens of bytes per image). Batches then read their samples from the spool by
 * position, decode and preprocess them, and forget them: no decoded image outlives the batch it was decoded for, and
 * an iterator decodes a batch only when {@code next()} is called, so at most one batch of decoded images per
 * iterator exists at a time ({@link #decodeCount()} lets tests check this). A job that reads its images epoch after
 * epoch also asks for a {@link PreprocessedCache} ({@link DatasetOptions#preprocessedCacheBytes()}): each sample's
 * preprocessed floats go to a second file the first time a batch needs them, up to a bound, and later batches read
 * them back instead of decoding again.
 *
 * <p>Why a spool rather than streaming the archive again each epoch: a seeded shuffle needs random access, which a
 * tar.gz (one gzip stream) cannot give, and re-inflating a 1 GB archive every epoch costs more than reading back what
 * was kept. Why encoded bytes rather than decoded or preprocessed pixels: the spool then stays no larger than the
 * archive's useful content (preprocessed 224×224 floats of small images would be tens of times larger), its size is
 * bounded by {@link DatasetLimits#maxTotalBytes()} like the archive's, and decoding a JPEG costs far less than the
 * training step it feeds. Every image is decoded once during the scan anyway, to count and skip corrupt files up
 * front, so that counts, the split and the class list never change under a running job.
 *
 * <h2>Order</h2>
 * Samples have a canonical order: by class, then by path (ImageFolder), or file order (IDX). The validation split is
 * iterated in that order; the training split in a seeded shuffle per epoch ({@link #order(Split, int, boolean)}), the
 * same for the same seed and epoch, so a job resumed at epoch {@code e} sees the batches an uninterrupted one would.
 *
 * <p>A dataset may serve several iterators at once, from several threads; an iterator serves one thread.
 */
public final class Dataset implements AutoCloseable {
    private final Path archive;
    private final DatasetOptions options;
    private final Layout layout;
    private final ImageShape shape;
    private final Spool spool;
    private final PreprocessedCache cache;
    private final AtomicLong decodes;
    private final long unpackedBytes;

    private Dataset(Path archive, DatasetOptions options, Layout layout, ImageShape shape, Spool spool,
                    AtomicLong decodes, long unpackedBytes) {
        this.archive = archive;
        this.options = options;
        this.layout = layout;
        this.shape = shape;
        this.spool = spool;
        this.cache = new PreprocessedCache(options.spoolDirectory(), worthCaching(layout, shape)
                ? options.preprocessedCacheBytes() : 0, shape.size(), layout.trainRecords().length,
                layout.valRecords().length);
        this.decodes = decodes;
        this.unpackedBytes = unpackedBytes;
    }

    /** Opens with {@link DatasetOptions#defaults()}. */
    public static Dataset open(Path archive) {
        return open(archive, DatasetOptions.defaults());
    }

    /**
     * Reads the archive once and indexes it.
     *
     * @throws DatasetException with a {@link DatasetProblem} code when the archive is refused
     */
    public static Dataset open(Path archive, DatasetOptions options) {
        Spool spool = new Spool(options.spoolDirectory());
        try {
            AtomicLong decodes = new AtomicLong();
            Scan scan = Scan.run(archive, options.limits(), spool, decodes);
            Layout layout = resolve(scan, options, spool);
            if (layout.trainRecords().length == 0) {
                throw new DatasetException(DatasetProblem.DATASET_EMPTY, "the training split is empty");
            }
            ImageShape shape = shape(layout, options.preprocessing());
            return new Dataset(archive, options, layout, shape, spool, decodes, scan.bytes);
        } catch (RuntimeException | Error e) {
            spool.close();
            throw e;
        }
    }

    private static Layout resolve(Scan scan, DatasetOptions options, Spool spool) {
        String root = ImageFolderLayout.root(scan);
        boolean folder = root != null && !ImageFolderLayout.children(scan.dirs, root + "train").isEmpty();
        if (!scan.idx.isEmpty()) {
            if (folder) {
                throw new DatasetException(DatasetProblem.DATASET_LAYOUT_UNKNOWN, "archive holds both IDX files "
                        + scan.idx.keySet() + " and an ImageFolder " + root + "train/ folder; keep one");
            }
            return IdxLayout.resolve(scan, options, spool);
        }
        if (root != null) {
            return ImageFolderLayout.resolve(scan, root, options, spool);
        }
        if (scan.files == 0) {
            throw new DatasetException(DatasetProblem.DATASET_EMPTY, "archive holds no files");
        }
        throw new DatasetException(DatasetProblem.DATASET_LAYOUT_UNKNOWN, "archive layout not recognised: expected "
                + "train/<class>/<image>.png|jpg|jpeg (optionally val/<class>/..., optionally inside one folder) or "
                + "IDX files train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] (optionally "
                + "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]); found at the top: "
                + String.join(", ", scan.topLevel));
    }

    private static ImageShape shape(Layout layout, Preprocessing p) {
        SampleSource source = layout.source();
        int channels = switch (p.channels()) {
            case GREY -> 1;
            case RGB -> 3;
            case KEEP -> anyColour(layout) ? 3 : 1;
        };
        p.checkChannels(channels);
        if (p.hasCrop()) {
            return new ImageShape(channels, p.cropHeight(), p.cropWidth());
        }
        int[] first = null;
        int firstRecord = -1;
        for (int[] records : new int[][] {layout.trainRecords(), layout.valRecords()}) {
            for (int r : records) {
                int[] size = p.resizedSize(source.height(r), source.width(r));
                if (first == null) {
                    first = size;
                    firstRecord = r;
                } else if (size[0] != first[0] || size[1] != first[1]) {
                    throw new DatasetException(DatasetProblem.DATASET_IMAGE_SIZES_DIFFER, "images differ in size"
                            + (p.resizeShorter() > 0 ? " after resizing" : "") + ": '" + source.name(firstRecord)
                            + "' is " + first[1] + "x" + first[0] + ", '" + source.name(r) + "' " + size[1] + "x"
                            + size[0] + " (width x height); give the preprocessing a crop size");
                }
            }
        }
        if ((long) channels * first[0] * first[1] > Integer.MAX_VALUE / 2) {
            throw new DatasetException(DatasetProblem.DATASET_PREPROCESSING_INVALID, "images become " + first[1]
                    + "x" + first[0] + " after resizing, too large for a tensor; give the preprocessing a crop size");
        }
        return new ImageShape(channels, first[0], first[1]);
    }

    /**
     * Whether reading a sample's floats back beats making them again. An IDX sample is raw bytes in the spool, so
     * making it is a read and the preprocessing; once that resizes, the floats are many times the bytes (a 28×28 grey
     * image becomes 3×224×224 floats, 768 times as many bytes) and writing and reading them costs more than resizing
     * again. Encoded images (PNG, JPEG) are worth it at any size: decoding them is the cost.
     */
    private static boolean worthCaching(Layout layout, ImageShape shape) {
        if (layout.format() != DatasetFormat.IDX) {
            return true;
        }
        int[] records = layout.trainRecords();
        SampleSource source = layout.source();
        return records.length == 0 || shape.channels() == 1 && source.height(records[0]) == shape.height()
                && source.width(records[0]) == shape.width();
    }

    private static boolean anyColour(Layout layout) {
        for (int[] records : new int[][] {layout.trainRecords(), layout.valRecords()}) {
            for (int r : records) {
                if (!layout.source().grey(r)) {
                    return true;
                }
            }
        }
        return false;
    }

    public Path archive() {
        return archive;
    }

    public DatasetOptions options() {
        return options;
    }

    public DatasetFormat format() {
        return layout.format();
    }

    /** Class names; a label is an index into this list. */
    public List<String> classes() {
        return layout.classes();
    }

    public int classCount() {
        return layout.classes().size();
    }

    /** Shape of one preprocessed image. */
    public ImageShape imageShape() {
        return shape;
    }

    public int trainCount() {
        return layout.trainRecords().length;
    }

    public int valCount() {
        return layout.valRecords().length;
    }

    public int count(Split split) {
        return records(split).length;
    }

    /** Samples per class in a split. */
    public int[] classCounts(Split split) {
        int[] counts = new int[classCount()];
        for (int label : labels(split)) {
            counts[label]++;
        }
        return counts;
    }

    /** True when the validation split came with the archive ({@code val/} or t10k files), false when held out. */
    public boolean validationFromArchive() {
        return layout.valFromArchive();
    }

    /** Corrupt images that were skipped (only those inside the dataset's class folders). */
    public List<SkippedImage> skipped() {
        return layout.skipped();
    }

    /** Bytes the archive unpacked to during the scan. */
    public long unpackedBytes() {
        return unpackedBytes;
    }

    /** Class index of sample {@code index} (canonical order) of a split. */
    public int label(Split split, int index) {
        return labels(split)[index];
    }

    /** Where sample {@code index} of a split is in the archive: its path, or {@code file#n} for IDX. */
    public String sampleName(Split split, int index) {
        return layout.source().name(records(split)[index]);
    }

    /**
     * The order in which an epoch visits a split's samples: a seeded shuffle of epoch {@code epoch} when
     * {@code shuffle}, else the canonical order. The same seed and epoch always give the same order.
     */
    public int[] order(Split split, int epoch, boolean shuffle) {
        int n = count(split);
        return shuffle ? Seeds.epochOrder(n, options.seed(), epoch) : Seeds.identity(n);
    }

    /** Batches of one epoch: the training split shuffled (seeded by seed and epoch), validation in fixed order. */
    public Iterator<Batch> batches(Split split, int batchSize, int epoch) {
        return batches(split, batchSize, epoch, split == Split.TRAIN, false);
    }

    /**
     * Batches of one epoch over every sample of the split exactly once (the last batch may be smaller, unless
     * {@code dropLast}). Decoding happens in {@code next()}, one batch at a time.
     */
    public Iterator<Batch> batches(Split split, int batchSize, int epoch, boolean shuffle, boolean dropLast) {
        checkBatchSize(batchSize);
        int[] order = order(split, epoch, shuffle);
        int end = dropLast ? order.length - order.length % batchSize : order.length;
        return batchesOf(split, order, end, batchSize);
    }

    /** Batches of the given samples (indices in the split's canonical order), in the given order. */
    public Iterator<Batch> batches(Split split, int[] indices, int batchSize) {
        checkBatchSize(batchSize);
        int n = count(split);
        for (int index : indices) {
            if (index < 0 || index >= n) {
                throw new IndexOutOfBoundsException("sample " + index + " of a split of " + n);
            }
        }
        return batchesOf(split, indices.clone(), indices.length, batchSize);
    }

    /**
     * A seeded sample of {@code count} samples of a split, in canonical order, the same for the same dataset seed and
     * {@code stream}; every sample when the split has no more than {@code count}.
     */
    public int[] sample(Split split, int count, long stream) {
        if (count < 0) {
            throw new IllegalArgumentException("sample size must be non-negative, is " + count);
        }
        int n = count(split);
        if (count >= n) {
            return Seeds.identity(n);
        }
        int[] chosen = Arrays.copyOf(Seeds.sampleOrder(n, options.seed(), stream), count);
        Arrays.sort(chosen);
        return chosen;
    }

    private Iterator<Batch> batchesOf(Split split, int[] order, int end, int batchSize) {
        return new Iterator<>() {
            private final Preprocessor preprocessor = new Preprocessor(options.preprocessing(), shape);
            private int cursor;

            @Override
            public boolean hasNext() {
                return cursor < end;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int n = Math.min(batchSize, end - cursor);
                int[] positions = new int[n];
                System.arraycopy(order, cursor, positions, 0, n);
                cursor += n;
                return batch(split, positions, preprocessor);
            }
        };
    }

    /** Number of batches {@link #batches} yields. */
    public int batchCount(Split split, int batchSize, boolean dropLast) {
        checkBatchSize(batchSize);
        int n = count(split);
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** One batch of the given samples (indices in the split's canonical order). */
    public Batch batch(Split split, int[] indices) {
        return batch(split, indices, new Preprocessor(options.preprocessing(), shape));
    }

    private Batch batch(Split split, int[] indices, Preprocessor preprocessor) {
        checkBatchSize(indices.length);
        int[] labels = labels(split);
        int[] batchLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            batchLabels[i] = labels[indices[i]];
        }
        long[] kept = cache.positions(split, indices);
        if (Arrays.stream(kept).allMatch(position -> position != 0)) {
            return Batch.cached(split, cache, kept, batchLabels, indices.clone(), shape);
        }
        int[] records = records(split);
        int size = shape.size();
        float[] data = new float[indices.length * size];
        cache.read(kept, data);
        for (int i = 0; i < indices.length; i++) {
            if (kept[i] == 0) {
                decodes.incrementAndGet();
                preprocessor.apply(layout.source().load(records[indices[i]]), data, i * size);
                cache.keep(split, indices[i], data, i * size);
            }
        }
        return new Batch(split, data, batchLabels, indices.clone(), shape);
    }

    private void checkBatchSize(int batchSize) {
        if (batchSize <= 0 || (long) batchSize * shape.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch size " + batchSize + " of " + shape + " images does not fit"
                    + " one float array");
        }
    }

    /**
     * Images decoded since opening: once per image during the scan (ImageFolder), then once per sample per batch,
     * or once per sample in all while the {@link DatasetOptions#preprocessedCacheBytes() cache} holds it (IDX samples
     * count as decoded when their pixels are read).
     */
    public long decodeCount() {
        return decodes.get();
    }

    private int[] records(Split split) {
        return split == Split.TRAIN ? layout.trainRecords() : layout.valRecords();
    }

    private int[] labels(Split split) {
        return split == Split.TRAIN ? layout.trainLabels() : layout.valLabels();
    }

    /** Deletes the spool file and the cache of preprocessed samples. */
    @Override
    public void close() {
        try {
            cache.close();
        } finally {
            spool.close();
        }
    }

    @Override
    public String toString() {
        return "Dataset[" + archive.getFileName() + ", " + format() + ", " + classCount() + " classes, train "
                + trainCount() + ", val " + valCount() + (validationFromArchive() ? " (archive)" : " (held out)")
                + ", " + shape + (skipped().isEmpty() ? "" : ", " + skipped().size() + " corrupt skipped") + "]";
    }
}
