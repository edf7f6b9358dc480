package io.shears.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * An Einsum equation resolved against its operands' dimensions: one label per operand axis and per output axis, and
 * each label's size. Shape inference, the cost model and the interpreter's kernel all read it, so they cannot
 * disagree about what an equation means. An ellipsis stands for the leading axes an operand has beyond its letters;
 * those axes broadcast against each other from the right, as in NumPy. A letter repeated within one operand (a
 * diagonal) is refused.
 *
 * @param operands per operand, the label of each axis
 * @param output   the label of each output axis
 * @param sizes    per label, its size after broadcasting
 */
public record EinsumEquation(List<String> operands, String output, Map<Character, Long> sizes) {
    /** Ellipsis axes get labels outside [a-zA-Z], counted from the right: the last one is '0'. */
    private static final char ELLIPSIS_LABEL = '0';

    /**
     * @throws IllegalArgumentException for a malformed equation, an operand count or rank that does not fit it, sizes
     *                                  that do not broadcast, or a letter repeated within one operand
     */
    public static EinsumEquation resolve(String equation, List<long[]> dims) {
        String text = equation.replace(" ", "");
        int arrow = text.indexOf("->");
        String[] terms = (arrow < 0 ? text : text.substring(0, arrow)).split(",", -1);
        if (terms.length != dims.size()) {
            throw new IllegalArgumentException("equation '" + equation + "' has " + terms.length + " operands, the node "
                    + dims.size());
        }
        int ellipsisRank = 0;
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            String labels = expandEllipsis(terms[i], dims.get(i).length, equation);
            ellipsisRank = Math.max(ellipsisRank, dims.get(i).length - letters(terms[i]).length());
            operands.add(labels);
        }
        Map<Character, Long> sizes = new LinkedHashMap<>();
        for (int i = 0; i < operands.size(); i++) {
            String labels = operands.get(i);
            for (int a = 0; a < labels.length(); a++) {
                char label = labels.charAt(a);
                if (labels.indexOf(label) != a) {
                    throw new IllegalArgumentException("equation '" + equation + "' repeats '" + label
                            + "' within one operand (a diagonal)");
                }
                long size = dims.get(i)[a];
                Long known = sizes.get(label);
                if (known != null && known != size && known != 1 && size != 1) {
                    throw new IllegalArgumentException("equation '" + equation + "': '" + label + "' is " + known
                            + " in one operand and " + size + " in another");
                }
                sizes.put(label, known == null || known == 1 ? size : known);
            }
        }
        String output = arrow < 0 ? implicitOutput(operands, ellipsisRank)
                : expandEllipsis(text.substring(arrow + 2), ellipsisRank + letters(text.substring(arrow + 2)).length(),
                equation);
        for (char label : output.toCharArray()) {
            if (!sizes.containsKey(label) || output.indexOf(label) != output.lastIndexOf(label)) {
                throw new IllegalArgumentException("equation '" + equation + "': output label '" + label
                        + "' is not an operand's or appears twice");
            }
        }
        return new EinsumEquation(List.copyOf(operands), output, Map.copyOf(sizes));
    }

    public long[] outputDims() {
        long[] out = new long[output.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = sizes.get(output.charAt(i));
        }
        return out;
    }

    /**
     * Multiply-accumulates of a contraction of two operands: one per combination of all labels' values (for
     * {@code bij,bjk->bik}, b·i·j·k, as the MatMul it is). A single operand only moves or sums, and costs none.
     */
    public long macs() {
        if (operands.size() < 2) {
            return 0;
        }
        long macs = 1;
        for (long size : sizes.values()) {
            macs = Math.multiplyExact(macs, size);
        }
        return macs;
    }

    private static String letters(String term) {
        return term.replace("...", "");
    }

    private static String expandEllipsis(String term, int rank, String equation) {
        String letters = letters(term);
        for (char c : letters.toCharArray()) {
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                throw new IllegalArgumentException("equation '" + equation + "' has label '" + c + "'");
            }
        }
        int extra = rank - letters.length();
        int at = term.indexOf("...");
        if (at < 0 ? extra != 0 : extra < 0 || term.indexOf("...", at + 1) >= 0) {
            throw new IllegalArgumentException("equation '" + equation + "': term '" + term + "' does not fit rank "
                    + rank);
        }
        if (at < 0) {
            return term;
        }
        StringBuilder labels = new StringBuilder();
        for (int i = extra - 1; i >= 0; i--) {
            labels.append((char) (ELLIPSIS_LABEL + i));
        }
        return term.substring(0, at) + labels + term.substring(at + 3);
    }

    /** NumPy's implicit output: the ellipsis axes, then the letters that appear once, in alphabetical order. */
    private static String implicitOutput(List<String> operands, int ellipsisRank) {
        StringBuilder out = new StringBuilder();
        for (int i = ellipsisRank - 1; i >= 0; i--) {
            out.append((char) (ELLIPSIS_LABEL + i));
        }
        String all = String.join("", operands);
        TreeSet<Character> once = new TreeSet<>();
        for (char c : all.toCharArray()) {
            if (Character.isLetter(c) && all.indexOf(c) == all.lastIndexOf(c)) {
                once.add(c);
            }
        }
        once.forEach(out::append);
        return out.toString();
    }

    @Override
    public String toString() {
        return String.join(",", operands) + "->" + output + " " + Arrays.toString(outputDims());
    }
}
