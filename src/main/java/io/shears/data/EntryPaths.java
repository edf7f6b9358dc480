package io.shears.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Archive entry names: normalisation, the zip-slip check, and the noise entries (hidden files, macOS forks). */
final class EntryPaths {
    private static final Set<String> NOISE_FILES = Set.of("thumbs.db", "desktop.ini");

    private EntryPaths() {
    }

    /**
     * The entry name as a relative path with {@code /} separators and no empty or {@code .} segments ({@code ""} for
     * the root). Refuses absolute names ({@code /x}, {@code C:\x}, {@code \\host\x}) and any {@code ..} segment with
     * {@link DatasetProblem#DATASET_UNSAFE_PATH}: the reader never writes entries under their own names, but an
     * archive built to escape a folder is hostile and is not read further.
     */
    static String normalise(String raw) {
        if (raw.indexOf('\0') >= 0) {
            throw unsafe(raw, "contains a NUL character");
        }
        String name = raw.replace('\\', '/');
        if (name.startsWith("/")) {
            throw unsafe(raw, "is an absolute path");
        }
        if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
            throw unsafe(raw, "is an absolute path with a drive letter");
        }
        List<String> parts = new ArrayList<>();
        for (String segment : name.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw unsafe(raw, "climbs out of the archive with '..'");
            }
            parts.add(segment);
        }
        return String.join("/", parts);
    }

    /** Hidden files and folders (a segment starting with {@code .}), {@code __MACOSX/}, Thumbs.db, desktop.ini. */
    static boolean isNoise(String path) {
        for (String segment : path.split("/")) {
            if (segment.startsWith(".") || segment.equals("__MACOSX")) {
                return true;
            }
        }
        return NOISE_FILES.contains(fileName(path).toLowerCase(Locale.ROOT));
    }

    static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static boolean isImageName(String path) {
        String lower = fileName(path).toLowerCase(Locale.ROOT);
        return lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg");
    }

    private static DatasetException unsafe(String raw, String why) {
        return new DatasetException(DatasetProblem.DATASET_UNSAFE_PATH, "archive entry '" + raw + "' " + why);
    }
}
