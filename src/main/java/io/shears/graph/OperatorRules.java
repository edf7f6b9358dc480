package io.shears.graph;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one table of what Shears knows per ONNX operator (default domain): how to infer its output shapes and what it
 * costs. Supporting a new operator means adding one entry here; an operator without an entry is refused by name.
 */
public final class OperatorRules {
    public record Rule(ShapeRule shape, CostRule cost) {
    }

    private static final Map<String, Rule> RULES = build();

    private OperatorRules() {
    }

    private static Map<String, Rule> build() {
        Map<String, Rule> rules = new TreeMap<>();
        Registrar r = new Registrar(rules);
        ConvolutionRules.register(r);
        LinearRules.register(r);
        ElementwiseRules.register(r);
        PoolingRules.register(r);
        LayoutRules.register(r);
        ShapeArithmeticRules.register(r);
        return Collections.unmodifiableMap(rules);
    }

    public static Rule rule(String op) {
        return RULES.get(op);
    }

    public static Set<String> supported() {
        return RULES.keySet();
    }

    /** Collects the entries of the rule families. */
    static final class Registrar {
        private final Map<String, Rule> rules;

        Registrar(Map<String, Rule> rules) {
            this.rules = rules;
        }

        void shape(ShapeRule shape, String... ops) {
            for (String op : ops) {
                rules.put(op, new Rule(shape, CostRule.NONE));
            }
        }

        void costed(String op, ShapeRule shape, CostRule cost) {
            rules.put(op, new Rule(shape, cost));
        }
    }
}
