package io.shears.pruning;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one table of channel rules, per ONNX operator. An operator missing here freezes every channel group that
 * reaches it, with the node and operator named in the report: Shears never guesses.
 */
final class ChannelRules {
    private static final Map<String, ChannelRule> RULES = build();

    private ChannelRules() {
    }

    private static Map<String, ChannelRule> build() {
        Map<String, ChannelRule> rules = new TreeMap<>();
        ConvolutionChannels.register(rules);
        LinearChannels.register(rules);
        ElementwiseChannels.register(rules);
        LayoutChannels.register(rules);
        return Collections.unmodifiableMap(rules);
    }

    static ChannelRule rule(String op) {
        return RULES.get(op);
    }

    static Set<String> supported() {
        return RULES.keySet();
    }
}
