package io.shears.cli;

import io.shears.pruning.OptionNames;
import io.shears.pruning.PruningOptions;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The pruning options' command-line defaults, read from {@link PruningOptions#defaults()} so that the paper's setting
 * is written once; help shows them through {@code ${DEFAULT-VALUE}}. Other options keep their own defaults.
 */
final class PruningDefaults implements IDefaultValueProvider {
    private static final PruningOptions DEFAULTS = PruningOptions.defaults();

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        return switch (option.longestName()) {
            case "--scope" -> OptionNames.label(DEFAULTS.scope());
            case "--criterion" -> OptionNames.label(DEFAULTS.criterion());
            case "--allocation" -> OptionNames.label(DEFAULTS.allocation());
            case "--grouped-convolutions" -> OptionNames.label(DEFAULTS.groupedConvolutions());
            case "--attention-unit" -> OptionNames.label(DEFAULTS.attentionUnit());
            case "--round-to" -> Integer.toString(DEFAULTS.roundTo());
            case "--min-channels" -> Integer.toString(DEFAULTS.minChannels());
            case "--max-fraction" -> Double.toString(DEFAULTS.maxFraction());
            case "--seed" -> Long.toString(DEFAULTS.seed());
            default -> null;
        };
    }
}
