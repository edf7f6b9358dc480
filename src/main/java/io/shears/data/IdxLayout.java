package io.shears.data;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * MNIST-style IDX files (Fashion-MNIST uses the same layout): {@code train-images-idx3-ubyte} and
 * {@code train-labels-idx1-ubyte}, optionally {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}
 * (also named {@code train-images.idx3-ubyte}), each raw or gzip (told by its first bytes), anywhere in the archive.
 * The t10k pair is the validation split when present; otherwise the stratified hold-out is. An IDX file is a big-endian
 * header, magic {@code 0x00 0x00 type ndims} with type {@code 0x08} (unsigned byte) and ndims 3 (images) or 1
 * (labels), one 32-bit count per dimension, then exactly the product of the dimensions in bytes. Classes are the label
 * values present, in numeric order, named by their values ("0".."9" for MNIST); the index of a class is its position.
 */
final class IdxLayout {
    private IdxLayout() {
    }

    record Header(Scan.IdxMember member, int[] dims, long dataOffset) {
        long count() {
            return dims[0];
        }
    }

    static Layout resolve(Scan scan, DatasetOptions options, Spool spool) {
        DatasetLimits limits = options.limits();
        Scan.IdxMember trainImagesFile = require(scan, "train-images");
        Scan.IdxMember trainLabelsFile = require(scan, "train-labels");
        boolean hasTest = scan.idx.containsKey("t10k-images") || scan.idx.containsKey("t10k-labels");
        Header trainImages = header(spool, trainImagesFile, 3, limits);
        Header trainLabels = header(spool, trainLabelsFile, 1, limits);
        checkPair(trainImages, trainLabels);
        Header testImages = null;
        Header testLabels = null;
        if (hasTest) {
            testImages = header(spool, require(scan, "t10k-images"), 3, limits);
            testLabels = header(spool, require(scan, "t10k-labels"), 1, limits);
            checkPair(testImages, testLabels);
            if (testImages.dims[1] != trainImages.dims[1] || testImages.dims[2] != trainImages.dims[2]) {
                throw invalid("'" + testImages.member.path() + "' holds " + testImages.dims[1] + "x"
                        + testImages.dims[2] + " images, '" + trainImages.member.path() + "' "
                        + trainImages.dims[1] + "x" + trainImages.dims[2]);
            }
        }
        int nTrain = trainImages.dims[0];
        int nTest = hasTest ? testImages.dims[0] : 0;
        if (nTrain == 0) {
            throw new DatasetException(DatasetProblem.DATASET_EMPTY, "'" + trainImagesFile.path() + "' holds no image");
        }
        if ((long) nTrain + nTest > limits.maxEntries()) {
            throw new DatasetException(DatasetProblem.DATASET_TOO_LARGE, "IDX files hold " + ((long) nTrain + nTest)
                    + " images, more than the limit of " + limits.maxEntries());
        }
        byte[] trainRaw = spool.read(trainLabels.dataOffset, nTrain);
        byte[] testRaw = hasTest ? spool.read(testLabels.dataOffset, nTest) : new byte[0];

        TreeSet<Integer> trainValues = values(trainRaw);
        Layout.checkClassCount(trainValues.size(), limits, "'" + trainLabelsFile.path() + "'");
        List<String> classes = new ArrayList<>();
        int[] index = new int[256];
        for (int v : trainValues) {
            index[v] = classes.size();
            classes.add(Integer.toString(v));
        }
        Source source = new Source(trainImages, testImages, spool);
        int[] trainRecords = Seeds.identity(nTrain);
        int[] trainLabelIndex = map(trainRaw, index);
        if (!hasTest) {
            return Layout.withHeldOut(DatasetFormat.IDX, classes, trainRecords, trainLabelIndex,
                    options.valFraction(), options.seed(), source, List.of());
        }
        TreeSet<Integer> testValues = values(testRaw);
        if (!testValues.equals(trainValues)) {
            TreeSet<Integer> onlyTrain = new TreeSet<>(trainValues);
            onlyTrain.removeAll(testValues);
            TreeSet<Integer> onlyTest = new TreeSet<>(testValues);
            onlyTest.removeAll(trainValues);
            throw new DatasetException(DatasetProblem.DATASET_CLASSES_MISMATCH, "the labels of '"
                    + testLabels.member.path() + "' differ from those of '" + trainLabels.member.path()
                    + "': only in train: " + onlyTrain + ", only in t10k: " + onlyTest);
        }
        int[] testRecords = new int[nTest];
        for (int i = 0; i < nTest; i++) {
            testRecords[i] = nTrain + i;
        }
        return new Layout(DatasetFormat.IDX, classes, trainRecords, trainLabelIndex, testRecords,
                map(testRaw, index), true, source, List.of());
    }

    private static Scan.IdxMember require(Scan scan, String kind) {
        Scan.IdxMember member = scan.idx.get(kind);
        if (member == null) {
            String dims = kind.endsWith("images") ? "idx3" : "idx1";
            throw invalid("archive holds " + scan.idx.keySet() + " IDX files but no " + kind + "-" + dims
                    + "-ubyte[.gz]");
        }
        return member;
    }

    static Header header(Spool spool, Scan.IdxMember member, int expectedDims, DatasetLimits limits) {
        String name = "'" + member.path() + "'";
        if (member.length() < 4) {
            throw invalid(name + " is " + member.length() + " bytes long, too short for an IDX header");
        }
        byte[] magic = spool.read(member.offset(), 4);
        if (magic[0] != 0 || magic[1] != 0) {
            throw invalid(name + " is not an IDX file: magic number 0x" + hex(magic) + " does not start with 0x0000");
        }
        if (magic[2] != 0x08) {
            throw invalid(name + " holds elements of type 0x" + String.format("%02x", magic[2] & 0xff)
                    + "; only unsigned bytes (0x08) are read");
        }
        if (magic[3] != expectedDims) {
            throw invalid(name + " has " + magic[3] + " dimensions, expected " + expectedDims + " (magic 0x"
                    + hex(magic) + ", expected 0x000008" + String.format("%02x", expectedDims) + ")");
        }
        long headerLength = 4L + 4L * expectedDims;
        if (member.length() < headerLength) {
            throw invalid(name + " ends inside its header");
        }
        byte[] raw = spool.read(member.offset() + 4, 4 * expectedDims);
        int[] dims = new int[expectedDims];
        long product = 1;
        for (int i = 0; i < expectedDims; i++) {
            long d = ((raw[4 * i] & 0xffL) << 24) | ((raw[4 * i + 1] & 0xff) << 16) | ((raw[4 * i + 2] & 0xff) << 8)
                    | (raw[4 * i + 3] & 0xff);
            if (d > Integer.MAX_VALUE - 8) {
                throw invalid(name + " declares dimension " + i + " as " + d);
            }
            dims[i] = (int) d;
            // saturate: a product past the file's length is wrong whatever its exact value
            product = Math.min(product * d, Long.MAX_VALUE / Integer.MAX_VALUE);
        }
        if (expectedDims == 3) {
            try {
                ImageDecoder.checkSize(member.path(), dims[2], dims[1], limits);
            } catch (ImageDecoder.Corrupt e) {
                throw invalid(name + " " + e.getMessage());
            }
        }
        long expected = headerLength + product;
        if (member.length() != expected) {
            throw invalid(name + " is " + member.length() + " bytes long; its header (" + describe(dims)
                    + ") needs exactly " + expected);
        }
        return new Header(member, dims, member.offset() + headerLength);
    }

    private static void checkPair(Header images, Header labels) {
        if (images.count() != labels.count()) {
            throw invalid("'" + images.member.path() + "' holds " + images.count() + " images but '"
                    + labels.member.path() + "' " + labels.count() + " labels");
        }
    }

    private static TreeSet<Integer> values(byte[] labels) {
        boolean[] seen = new boolean[256];
        for (byte b : labels) {
            seen[b & 0xff] = true;
        }
        TreeSet<Integer> values = new TreeSet<>();
        for (int v = 0; v < 256; v++) {
            if (seen[v]) {
                values.add(v);
            }
        }
        return values;
    }

    private static int[] map(byte[] labels, int[] index) {
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = index[labels[i] & 0xff];
        }
        return out;
    }

    private static String describe(int[] dims) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            s.append(i == 0 ? "" : "x").append(dims[i]);
        }
        return s.toString();
    }

    private static String hex(byte[] b) {
        return String.format("%02x%02x%02x%02x", b[0] & 0xff, b[1] & 0xff, b[2] & 0xff, b[3] & 0xff);
    }

    private static DatasetException invalid(String message) {
        return new DatasetException(DatasetProblem.DATASET_IDX_INVALID, message);
    }

    /** Records {@code 0 .. nTrain-1} are the train file's images, then the t10k file's. */
    private record Source(Header train, Header test, Spool spool) implements SampleSource {
        @Override
        public ImageDecoder.PixelSource load(int record) {
            Header h = record < train.dims[0] ? train : test;
            int i = h == train ? record : record - train.dims[0];
            int rows = h.dims[1];
            int cols = h.dims[2];
            byte[] pixels = spool.read(h.dataOffset + (long) i * rows * cols, rows * cols);
            return ImageDecoder.grey8(pixels, cols, rows);
        }

        @Override
        public String name(int record) {
            return record < train.dims[0] ? train.member.path() + "#" + record
                    : test.member.path() + "#" + (record - train.dims[0]);
        }

        @Override
        public int width(int record) {
            return train.dims[2];
        }

        @Override
        public int height(int record) {
            return train.dims[1];
        }

        @Override
        public boolean grey(int record) {
            return true;
        }
    }
}
