package io.shears.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.shears.data.Fixtures.entries;
import static io.shears.data.Fixtures.imageFolder;
import static io.shears.data.Fixtures.merge;
import static org.assertj.core.api.Assertions.assertThat;

class ImageFolderTest {
    @TempDir
    Path dir;

    @Test
    void readsTrainAndValFoldersFromAZip() {
        Map<String, byte[]> content = merge(imageFolder("", "train", "dog", 5, "cat", 4, "bird", 3),
                imageFolder("", "val", "bird", 1, "cat", 2, "dog", 1));

        try (Dataset d = Dataset.open(Fixtures.zip(dir.resolve("d.zip"), content))) {
            assertThat(d.format()).isEqualTo(DatasetFormat.IMAGE_FOLDER);
            assertThat(d.classes()).containsExactly("bird", "cat", "dog");
            assertThat(d.trainCount()).isEqualTo(12);
            assertThat(d.valCount()).isEqualTo(4);
            assertThat(d.classCounts(Split.TRAIN)).containsExactly(3, 4, 5);
            assertThat(d.classCounts(Split.VAL)).containsExactly(1, 2, 1);
            assertThat(d.validationFromArchive()).isTrue();
            assertThat(d.imageShape()).isEqualTo(new ImageShape(1, 4, 4));
            assertThat(d.skipped()).isEmpty();
            // canonical order: by class, then path
            assertThat(d.sampleName(Split.TRAIN, 0)).isEqualTo("train/bird/000.png");
            assertThat(d.sampleName(Split.TRAIN, 3)).isEqualTo("train/cat/000.png");
            assertThat(d.label(Split.TRAIN, 3)).isEqualTo(1);
            assertThat(d.sampleName(Split.VAL, 3)).isEqualTo("val/dog/000.png");
        }
    }

    @Test
    void tarGzAndPlainTarReadTheSameAsZip() {
        Map<String, byte[]> content = merge(imageFolder("", "train", "a", 3, "b", 2),
                imageFolder("", "val", "a", 1, "b", 1));
        Path zip = Fixtures.zip(dir.resolve("d.zip"), content);
        Path tgz = Fixtures.tarGz(dir.resolve("d.tar.gz"), content);
        Path tar = Fixtures.tar(dir.resolve("d.tar"), content);

        try (Dataset z = Dataset.open(zip); Dataset t = Dataset.open(tgz); Dataset p = Dataset.open(tar)) {
            for (Dataset other : List.of(t, p)) {
                assertThat(other.classes()).isEqualTo(z.classes());
                assertThat(names(other, Split.TRAIN)).isEqualTo(names(z, Split.TRAIN));
                assertThat(names(other, Split.VAL)).isEqualTo(names(z, Split.VAL));
                assertThat(other.batch(Split.TRAIN, new int[] {0, 4}).data())
                        .containsExactly(z.batch(Split.TRAIN, new int[] {0, 4}).data());
            }
        }
    }

    @Test
    void formatIsToldByMagicBytesNotByName() throws Exception {
        Map<String, byte[]> content = imageFolder("", "train", "a", 2, "b", 2);
        Path zipNamedTgz = Fixtures.zip(dir.resolve("really-a-zip.tar.gz"), content);
        Path tgzNamedZip = Fixtures.tarGz(dir.resolve("really-a-tgz.zip"), content);
        Path noName = dir.resolve("upload");
        Files.copy(tgzNamedZip, noName);

        for (Path p : List.of(zipNamedTgz, tgzNamedZip, noName)) {
            try (Dataset d = Dataset.open(p)) {
                assertThat(d.classes()).containsExactly("a", "b");
                assertThat(d.trainCount() + d.valCount()).isEqualTo(4);
            }
        }
    }

    @Test
    void acceptsOneWrappingFolderAndIgnoresHiddenAndMacosNoise() {
        Map<String, byte[]> content = merge(imageFolder("flowers/", "train", "rose", 3, "tulip", 2),
                imageFolder("flowers/", "val", "rose", 1, "tulip", 1),
                entries("__MACOSX/flowers/train/rose/._000.png", new byte[] {0, 5, 22, 7},
                        "flowers/train/rose/._001.png", new byte[] {0, 5, 22, 7},
                        "flowers/.DS_Store", new byte[] {1, 2, 3},
                        "flowers/train/.ipynb_checkpoints/x.png", new byte[] {1},
                        "flowers/train/tulip/Thumbs.db", new byte[] {9},
                        "flowers/README.txt", "hello".getBytes(),
                        "flowers/train/rose/notes.txt", "not an image".getBytes()));

        try (Dataset d = Dataset.open(Fixtures.zip(dir.resolve("d.zip"), content))) {
            assertThat(d.classes()).containsExactly("rose", "tulip");
            assertThat(d.trainCount()).isEqualTo(5);
            assertThat(d.valCount()).isEqualTo(2);
            assertThat(d.skipped()).isEmpty();
            assertThat(d.sampleName(Split.TRAIN, 0)).isEqualTo("flowers/train/rose/000.png");
        }
    }

    @Test
    void readsImagesNestedInsideAClassFolderAndLeadingDotSlashNames() {
        Map<String, byte[]> content = entries(
                "./train/a/x/1.png", Fixtures.smallPng(1),
                "./train/a/x/y/2.png", Fixtures.smallPng(2),
                "./train/b/3.png", Fixtures.smallPng(3));

        try (Dataset d = Dataset.open(Fixtures.tarGz(dir.resolve("d.tgz"), content),
                DatasetOptions.defaults().withValFraction(0))) {
            assertThat(d.classes()).containsExactly("a", "b");
            assertThat(names(d, Split.TRAIN)).containsExactly("train/a/x/1.png", "train/a/x/y/2.png", "train/b/3.png");
        }
    }

    @Test
    void readsPngAndJpegByContentWhateverTheExtension() {
        Map<String, byte[]> content = entries(
                "train/a/photo.jpg", Fixtures.rgbJpeg(8, 8, (x, y) -> 0x336699),
                "train/a/upper.JPEG", Fixtures.rgbJpeg(8, 8, (x, y) -> 0x996633),
                "train/b/jpeg-named.png", Fixtures.rgbJpeg(8, 8, (x, y) -> 0x112233),
                "train/b/grey.png", Fixtures.greyPng(8, 8, (x, y) -> 200));

        try (Dataset d = Dataset.open(Fixtures.zip(dir.resolve("d.zip"), content),
                DatasetOptions.defaults().withValFraction(0))) {
            assertThat(d.trainCount()).isEqualTo(4);
            assertThat(d.skipped()).isEmpty();
            // one colour image makes KEEP three channels; the grey one is replicated
            assertThat(d.imageShape()).isEqualTo(new ImageShape(3, 8, 8));
            float[] grey = d.batch(Split.TRAIN, new int[] {2}).data();
            assertThat(d.sampleName(Split.TRAIN, 2)).isEqualTo("train/b/grey.png");
            for (float v : grey) {
                assertThat(v).isEqualTo(200 / 255f);
            }
        }
    }

    @Test
    void heldOutSplitIsStratifiedTenPercentAtLeastOneWhereAClassHasTwo() {
        Map<String, byte[]> content = imageFolder("", "train", "a", 40, "b", 15, "c", 4, "d", 2, "e", 1);

        try (Dataset d = Dataset.open(Fixtures.zip(dir.resolve("d.zip"), content))) {
            assertThat(d.validationFromArchive()).isFalse();
            // round(0.1 n), at least 1 when n >= 2, at most n - 1
            assertThat(d.classCounts(Split.VAL)).containsExactly(4, 2, 1, 1, 0);
            assertThat(d.classCounts(Split.TRAIN)).containsExactly(36, 13, 3, 1, 1);
            Set<String> train = new HashSet<>(names(d, Split.TRAIN));
            assertThat(names(d, Split.VAL)).doesNotContainAnyElementsOf(train).doesNotHaveDuplicates();
            assertThat(train.size() + d.valCount()).isEqualTo(62);
            // validation is in canonical order: by class, then path
            List<String> val = names(d, Split.VAL);
            assertThat(val).isSortedAccordingTo(String::compareTo);
        }
    }

    @Test
    void theSplitFollowsTheFractionOption() {
        Map<String, byte[]> content = imageFolder("", "train", "a", 20, "b", 10);
        Path zip = Fixtures.zip(dir.resolve("d.zip"), content);

        try (Dataset quarter = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0.25));
             Dataset none = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0))) {
            assertThat(quarter.classCounts(Split.VAL)).containsExactly(5, 3); // round(2.5) = 3
            assertThat(none.valCount()).isZero();
            assertThat(none.trainCount()).isEqualTo(30);
        }
    }

    @Test
    void sameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        Map<String, byte[]> content = imageFolder("", "train", "a", 50, "b", 50);
        Path zip = Fixtures.zip(dir.resolve("d.zip"), content);

        try (Dataset one = Dataset.open(zip, DatasetOptions.defaults().withSeed(7));
             Dataset again = Dataset.open(zip, DatasetOptions.defaults().withSeed(7));
             Dataset other = Dataset.open(zip, DatasetOptions.defaults().withSeed(8))) {
            assertThat(names(again, Split.VAL)).isEqualTo(names(one, Split.VAL));
            assertThat(names(other, Split.VAL)).isNotEqualTo(names(one, Split.VAL));
            assertThat(other.classCounts(Split.VAL)).isEqualTo(one.classCounts(Split.VAL));
        }
    }

    @Test
    void theSplitDoesNotDependOnTheOrderOfTheArchiveEntries() {
        Map<String, byte[]> content = imageFolder("", "train", "a", 30, "b", 30);
        List<String> keys = new ArrayList<>(content.keySet());
        Collections.shuffle(keys, new Random(3));
        Map<String, byte[]> shuffled = new LinkedHashMap<>();
        keys.forEach(k -> shuffled.put(k, content.get(k)));

        try (Dataset a = Dataset.open(Fixtures.zip(dir.resolve("a.zip"), content));
             Dataset b = Dataset.open(Fixtures.tarGz(dir.resolve("b.tgz"), shuffled))) {
            assertThat(names(b, Split.VAL)).isEqualTo(names(a, Split.VAL));
            assertThat(names(b, Split.TRAIN)).isEqualTo(names(a, Split.TRAIN));
        }
    }

    @Test
    void aSkippedCorruptImageWithinTheToleranceIsReportedAndLeftOut() {
        Map<String, byte[]> content = merge(imageFolder("", "train", "a", 3, "b", 3),
                entries("train/b/broken.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}));

        try (Dataset d = Dataset.open(Fixtures.zip(dir.resolve("d.zip"), content),
                DatasetOptions.defaults().withValFraction(0))) {
            assertThat(d.trainCount()).isEqualTo(6);
            assertThat(d.skipped()).singleElement().satisfies(s -> {
                assertThat(s.path()).isEqualTo("train/b/broken.png");
                assertThat(s.reason()).isNotBlank();
            });
            assertThat(names(d, Split.TRAIN)).doesNotContain("train/b/broken.png");
        }
    }

    @Test
    void imagesOutsideTrainAndValAreNotDecoded() {
        Map<String, byte[]> content = merge(imageFolder("", "train", "a", 2, "b", 2),
                imageFolder("", "test", "a", 5), entries("test/a/corrupt.png", new byte[] {1, 2, 3}));

        try (Dataset d = Dataset.open(Fixtures.zip(dir.resolve("d.zip"), content))) {
            assertThat(d.trainCount() + d.valCount()).isEqualTo(4);
            assertThat(d.decodeCount()).isEqualTo(4);
            assertThat(d.skipped()).isEmpty();
        }
    }

    @Test
    void closeDeletesTheSpoolFile() throws Exception {
        Path spoolDir = Files.createDirectories(dir.resolve("spool"));
        Dataset d = Dataset.open(Fixtures.zip(dir.resolve("d.zip"), imageFolder("", "train", "a", 2)),
                DatasetOptions.defaults().withSpoolDirectory(spoolDir));
        try (Stream<Path> files = Files.list(spoolDir)) {
            assertThat(files.count()).isEqualTo(1);
        }
        d.close();
        try (Stream<Path> files = Files.list(spoolDir)) {
            assertThat(files.count()).isZero();
        }
    }

    @Test
    void aRefusedArchiveLeavesNoSpoolFileBehind() throws Exception {
        Path spoolDir = Files.createDirectories(dir.resolve("spool"));
        Path zip = Fixtures.zip(dir.resolve("d.zip"), entries("images/a/1.png", Fixtures.smallPng(1)));

        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                Dataset.open(zip, DatasetOptions.defaults().withSpoolDirectory(spoolDir)))
                .isInstanceOf(DatasetException.class);
        try (Stream<Path> files = Files.list(spoolDir)) {
            assertThat(files.count()).isZero();
        }
    }

    static List<String> names(Dataset d, Split split) {
        return IntStream.range(0, d.count(split)).mapToObj(i -> d.sampleName(split, i)).toList();
    }
}
