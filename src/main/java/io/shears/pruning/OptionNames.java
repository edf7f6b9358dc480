package io.shears.pruning;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The lower-case, dashed spelling of option enums that users type ("bn-scale") and reports print. */
final class OptionNames {
    private OptionNames() {
    }

    static <E extends Enum<E>> E parse(Class<E> type, String s) {
        for (E e : type.getEnumConstants()) {
            if (label(e).equals(s.trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new InvalidPruningOptionsException("'" + s + "' is not one of "
                + Arrays.stream(type.getEnumConstants()).map(OptionNames::label).collect(Collectors.joining(", ")));
    }

    static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
