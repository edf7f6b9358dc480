package io.shears.pruning;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The lower-case, dashed spelling of option enums that users type ("bn-scale") and reports print; the one way every
 * option enum's name is read, in the job spec, on the command line and here.
 */
public final class OptionNames {
    private OptionNames() {
    }

    /** The constant spelled {@code s}, in any case and with surrounding blanks; empty when there is none. */
    public static <E extends Enum<E>> Optional<E> find(Class<E> type, String s) {
        String wanted = typed(s);
        return Arrays.stream(type.getEnumConstants()).filter(e -> label(e).equals(wanted)).findFirst();
    }

    /** What a user typed, in the spelling labels have: trimmed and lower-case. */
    public static String typed(String s) {
        return s.trim().toLowerCase(Locale.ROOT);
    }

    /** Every constant's spelling, sorted. */
    public static <E extends Enum<E>> SortedSet<String> labels(Class<E> type) {
        return labelsOf(type);
    }

    /** {@link #labels} for an enum type known only as a wildcard, as annotations carry it. */
    public static SortedSet<String> labelsOf(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(OptionNames::label)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static <E extends Enum<E>> E parse(Class<E> type, String s) {
        return find(type, s).orElseThrow(() -> new InvalidPruningOptionsException("'" + s + "' is not one of "
                + Arrays.stream(type.getEnumConstants()).map(OptionNames::label).collect(Collectors.joining(", "))));
    }

    public static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
