package io.shears.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static io.shears.data.Fixtures.imageFolder;
import static io.shears.data.Fixtures.merge;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchIterationTest {
    @TempDir
    Path dir;

    private Path archive() {
        return Fixtures.zip(dir.resolve("d.zip"), merge(imageFolder("", "train", "a", 12, "b", 9, "c", 4),
                imageFolder("", "val", "a", 3, "b", 2, "c", 2)));
    }

    @Test
    void everySampleExactlyOncePerEpochWithTheRightLabel() {
        try (Dataset d = Dataset.open(archive())) {
            for (Split split : Split.values()) {
                for (int epoch = 0; epoch < 3; epoch++) {
                    List<Integer> seen = new ArrayList<>();
                    Iterator<Batch> it = d.batches(split, 4, epoch);
                    int batches = 0;
                    while (it.hasNext()) {
                        Batch b = it.next();
                        batches++;
                        assertThat(b.split()).isEqualTo(split);
                        assertThat(b.size()).isBetween(1, 4);
                        for (int i = 0; i < b.size(); i++) {
                            seen.add(b.indices()[i]);
                            String cls = d.sampleName(split, b.indices()[i]).split("/")[1];
                            assertThat(d.classes().get(b.labels()[i])).isEqualTo(cls);
                            // the pixels are those of that sample
                            float[] alone = d.batch(split, new int[] {b.indices()[i]}).data();
                            assertThat(Arrays.copyOfRange(b.data(), i * 16, i * 16 + 16)).containsExactly(alone);
                        }
                    }
                    assertThat(seen).hasSize(d.count(split)).doesNotHaveDuplicates();
                    assertThat(batches).isEqualTo(d.batchCount(split, 4, false));
                    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
                }
            }
        }
    }

    @Test
    void aSampleIsSeededSortedDistinctAndServedInItsOrder() {
        try (Dataset d = Dataset.open(archive(), DatasetOptions.defaults().withSeed(4))) {
            int[] sample = d.sample(Split.TRAIN, 10, 1);
            assertThat(sample).hasSize(10).isSorted().doesNotHaveDuplicates();
            assertThat(Arrays.stream(sample).allMatch(i -> i >= 0 && i < d.count(Split.TRAIN))).isTrue();
            assertThat(d.sample(Split.TRAIN, 10, 1)).containsExactly(sample);
            assertThat(d.sample(Split.TRAIN, 10, 2)).as("another stream").isNotEqualTo(sample);
            assertThat(d.sample(Split.VAL, 100, 1)).as("more than the split: all of it").containsExactly(0, 1, 2, 3, 4,
                    5, 6);
            assertThat(d.sample(Split.VAL, 0, 1)).isEmpty();
            List<Integer> served = new ArrayList<>();
            Iterator<Batch> it = d.batches(Split.TRAIN, sample, 4);
            while (it.hasNext()) {
                Batch b = it.next();
                for (int i = 0; i < b.size(); i++) {
                    served.add(b.indices()[i]);
                    assertThat(b.labels()[i]).isEqualTo(d.label(Split.TRAIN, b.indices()[i]));
                }
            }
            assertThat(served).containsExactly(Arrays.stream(sample).boxed().toArray(Integer[]::new));
        }
        try (Dataset other = Dataset.open(archive(), DatasetOptions.defaults().withSeed(5));
             Dataset same = Dataset.open(archive(), DatasetOptions.defaults().withSeed(4))) {
            assertThat(other.sample(Split.TRAIN, 10, 1)).as("another dataset seed")
                    .isNotEqualTo(same.sample(Split.TRAIN, 10, 1));
        }
    }

    @Test
    void trainingIsShuffledPerEpochWithTheSeedAndValidationIsFixed() {
        Path zip = archive();
        try (Dataset d = Dataset.open(zip); Dataset same = Dataset.open(zip);
             Dataset other = Dataset.open(zip, DatasetOptions.defaults().withSeed(1))) {
            List<Integer> epoch0 = order(d, Split.TRAIN, 0);
            List<Integer> epoch1 = order(d, Split.TRAIN, 1);

            assertThat(epoch0).isNotEqualTo(sorted(epoch0)).isNotEqualTo(epoch1);
            assertThat(order(same, Split.TRAIN, 0)).isEqualTo(epoch0);
            assertThat(order(same, Split.TRAIN, 1)).isEqualTo(epoch1);
            assertThat(order(d, Split.TRAIN, 0)).as("a repeated epoch is the same epoch").isEqualTo(epoch0);
            assertThat(order(other, Split.TRAIN, 0)).isNotEqualTo(epoch0);
            assertThat(order(d, Split.VAL, 0)).isEqualTo(order(d, Split.VAL, 5)).isSorted();
            assertThat(d.order(Split.TRAIN, 1, true)).containsExactly(epoch1.stream().mapToInt(i -> i).toArray());
        }
    }

    @Test
    void theCacheDecodesEachSampleOnceServesTheSameBitsAndKeepsToItsBound() throws Exception {
        Path archive = archive();
        Path spoolDir = Files.createDirectories(dir.resolve("cached"));
        int sampleBytes = 16 * Float.BYTES;
        try (Dataset plain = Dataset.open(archive, DatasetOptions.defaults().withSeed(2));
             Dataset cached = Dataset.open(archive, DatasetOptions.defaults().withSeed(2).withSpoolDirectory(spoolDir)
                     .withPreprocessedCache(1 << 20));
             Dataset bounded = Dataset.open(archive, DatasetOptions.defaults().withSeed(2)
                     .withPreprocessedCache(10L * sampleBytes))) {
            long scanned = cached.decodeCount();
            for (int epoch = 0; epoch < 3; epoch++) {
                for (Split split : Split.values()) {
                    Iterator<Batch> a = plain.batches(split, 4, epoch);
                    Iterator<Batch> b = cached.batches(split, 4, epoch);
                    Iterator<Batch> c = bounded.batches(split, 4, epoch);
                    while (a.hasNext()) {
                        Batch expected = a.next();
                        Batch fromCache = b.next();
                        Batch partly = c.next();
                        assertThat(bitsOf(fromCache.data())).containsExactly(bitsOf(expected.data()));
                        assertThat(bitsOf(partly.data())).containsExactly(bitsOf(expected.data()));
                        assertThat(fromCache.labels()).containsExactly(expected.labels());
                        assertThat(partly.labels()).containsExactly(expected.labels());
                    }
                    assertThat(b.hasNext()).isFalse();
                }
            }
            int samples = cached.trainCount() + cached.valCount();
            assertThat(cached.decodeCount() - scanned).as("each sample once over three epochs").isEqualTo(samples);
            assertThat(bounded.decodeCount() - scanned).as("ten kept, the rest decoded every epoch")
                    .isEqualTo(10 + 3L * (samples - 10));
            try (var files = Files.list(spoolDir)) {
                assertThat(files.map(f -> f.toFile().length()).toList()).as("the spool, and every sample's floats")
                        .hasSize(2).contains((long) samples * sampleBytes);
            }
        }
        try (var files = Files.list(spoolDir)) {
            assertThat(files).as("both files deleted on close").isEmpty();
        }
    }

    /**
     * A batch served from the cache writes into a runtime's buffer what a decoded one holds, whether its samples lie
     * back to back in the cache's file (the validation split in order) or apart (a shuffled epoch, a sample), and it
     * goes from the file into a little-endian buffer without reading its floats into the heap first: once the dataset
     * is closed, its floats can no longer be asked for.
     */
    @Test
    void aBatchFromTheCacheWritesIntoABufferTheBitsADecodedBatchHolds() {
        Path archive = archive();
        int sampleBytes = 16 * Float.BYTES;
        Batch unread;
        try (Dataset plain = Dataset.open(archive, DatasetOptions.defaults().withSeed(4).withPreprocessedCache(0));
             Dataset cached = Dataset.open(archive, DatasetOptions.defaults().withSeed(4)
                     .withPreprocessedCache(1 << 20))) {
            for (Split split : Split.values()) {
                cached.batches(split, 5, 0).forEachRemaining(Batch::size);
            }
            List<Iterator<Batch>[]> pairs = List.of(
                    pair(plain.batches(Split.TRAIN, 5, 1), cached.batches(Split.TRAIN, 5, 1)),
                    pair(plain.batches(Split.VAL, 3, 0, false, false), cached.batches(Split.VAL, 3, 0, false, false)),
                    pair(plain.batches(Split.TRAIN, new int[] {2, 3, 4, 9, 17, 18}, 4),
                            cached.batches(Split.TRAIN, new int[] {2, 3, 4, 9, 17, 18}, 4)));
            for (Iterator<Batch>[] pair : pairs) {
                while (pair[0].hasNext()) {
                    Batch expected = pair[0].next();
                    Batch fromCache = pair[1].next();
                    int bytes = fromCache.size() * sampleBytes;

                    ByteBuffer direct = ByteBuffer.allocateDirect(bytes + 12).order(ByteOrder.LITTLE_ENDIAN);
                    direct.putInt(0, 0x5eed).putInt(bytes + 8, 0x5eed).position(4);
                    fromCache.writeTo(direct);
                    assertThat(direct.position()).isEqualTo(4 + bytes);
                    assertThat(bitsOf(floats(direct.slice(4, bytes).order(ByteOrder.LITTLE_ENDIAN))))
                            .containsExactly(bitsOf(expected.data()));
                    assertThat(direct.getInt(0)).as("before the position").isEqualTo(0x5eed);
                    assertThat(direct.getInt(bytes + 8)).as("past the batch").isEqualTo(0x5eed);

                    ByteBuffer bigEndian = ByteBuffer.allocate(bytes).order(ByteOrder.BIG_ENDIAN);
                    fromCache.writeTo(bigEndian);
                    assertThat(bitsOf(floats(bigEndian.flip().order(ByteOrder.BIG_ENDIAN))))
                            .containsExactly(bitsOf(expected.data()));
                    assertThat(bitsOf(fromCache.data())).containsExactly(bitsOf(expected.data()));

                    ByteBuffer small = ByteBuffer.allocateDirect(bytes - 1).order(ByteOrder.LITTLE_ENDIAN);
                    assertThatThrownBy(() -> fromCache.writeTo(small)).isInstanceOf(BufferOverflowException.class);
                    assertThat(small.position()).isZero();
                }
                assertThat(pair[1].hasNext()).isFalse();
            }
            unread = cached.batches(Split.VAL, 4, 0, false, false).next();
            unread.writeTo(ByteBuffer.allocateDirect(unread.size() * sampleBytes).order(ByteOrder.LITTLE_ENDIAN));
        }
        assertThatThrownBy(unread::data).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed before its cached images were read");
    }

    @SuppressWarnings("unchecked")
    private static Iterator<Batch>[] pair(Iterator<Batch> plain, Iterator<Batch> cached) {
        return new Iterator[] {plain, cached};
    }

    private static float[] floats(ByteBuffer bytes) {
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    private static int[] bitsOf(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    @Test
    void dropLastAndUnshuffledTraining() {
        try (Dataset d = Dataset.open(archive())) {
            List<Batch> batches = new ArrayList<>();
            d.batches(Split.TRAIN, 10, 0, false, true).forEachRemaining(batches::add);

            assertThat(d.trainCount()).isEqualTo(25);
            assertThat(batches).hasSize(2).allSatisfy(b -> assertThat(b.size()).isEqualTo(10));
            assertThat(d.batchCount(Split.TRAIN, 10, true)).isEqualTo(2);
            assertThat(d.batchCount(Split.TRAIN, 10, false)).isEqualTo(3);
            assertThat(batches.get(0).indices()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
    }

    /**
     * The memory bound, checked through its mechanism: the scan decodes each image once, then an iterator decodes
     * nothing until {@code next()}, and each {@code next()} decodes exactly the images of the batch it returns (no
     * read-ahead, no cache). With the spool holding encoded bytes on disk, at most one batch of decoded images per
     * iterator is ever alive.
     */
    @Test
    void imagesAreDecodedOneBatchAtATimeOnlyWhenAsked() throws Exception {
        Path spoolDir = Files.createDirectories(dir.resolve("spool"));
        Map<String, byte[]> content = merge(imageFolder("", "train", "a", 12, "b", 9, "c", 4),
                imageFolder("", "val", "a", 3, "b", 2, "c", 2));
        long encodedBytes = content.values().stream().mapToLong(b -> b.length).sum();
        try (Dataset d = Dataset.open(Fixtures.zip(dir.resolve("d.zip"), content),
                DatasetOptions.defaults().withSpoolDirectory(spoolDir))) {
            assertThat(d.decodeCount()).as("the scan decodes every image once").isEqualTo(32);
            // the spool holds the images as encoded in the archive, not decoded
            try (var files = Files.list(spoolDir)) {
                assertThat(Files.size(files.findFirst().orElseThrow())).isEqualTo(encodedBytes);
            }

            Iterator<Batch> it = d.batches(Split.TRAIN, 8, 0);
            assertThat(d.decodeCount()).isEqualTo(32);
            assertThat(it.hasNext()).isTrue();
            assertThat(d.decodeCount()).isEqualTo(32);
            long before = d.decodeCount();
            int total = 0;
            while (it.hasNext()) {
                Batch b = it.next();
                total += b.size();
                assertThat(d.decodeCount() - before).isEqualTo(total);
            }
        }
    }

    @Test
    void iteratorsOnSeveralThreadsAgree() throws Exception {
        try (Dataset d = Dataset.open(archive())) {
            float[][] results = new float[4][];
            Thread[] threads = new Thread[4];
            for (int t = 0; t < 4; t++) {
                int k = t;
                threads[t] = new Thread(() -> {
                    List<Float> all = new ArrayList<>();
                    d.batches(Split.TRAIN, 5, 2).forEachRemaining(b -> {
                        for (float v : b.data()) {
                            all.add(v);
                        }
                    });
                    float[] a = new float[all.size()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = all.get(i);
                    }
                    results[k] = a;
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            for (int t = 1; t < 4; t++) {
                assertThat(results[t]).containsExactly(results[0]);
            }
        }
    }

    @Test
    void aBadBatchSizeIsRefused() {
        try (Dataset d = Dataset.open(archive())) {
            assertThatThrownBy(() -> d.batches(Split.TRAIN, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static List<Integer> order(Dataset d, Split split, int epoch) {
        List<Integer> order = new ArrayList<>();
        d.batches(split, 7, epoch).forEachRemaining(b -> Arrays.stream(b.indices()).forEach(order::add));
        return order;
    }

    private static List<Integer> sorted(List<Integer> values) {
        return values.stream().sorted().toList();
    }
}
