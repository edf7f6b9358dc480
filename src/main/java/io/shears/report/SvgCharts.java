package io.shears.report;

import io.shears.pruning.GroupSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.shears.report.HtmlText.escape;

/**
 * The report's charts as inline SVG, drawn here so that {@code report.html} needs no script, font or stylesheet from
 * anywhere. Each chart has a stable id ({@code chart-channels}, {@code chart-macs}, {@code chart-accuracy},
 * {@code chart-loss}, {@code chart-frontier}) and its marks stable classes, for people styling the page and for tests that find them.
 */
final class SvgCharts {
    /** Past this many groups the chart shows the first ones and says how many it left out; the table has them all. */
    static final int MAX_GROUP_BARS = 80;
    private static final int WIDTH = 720;
    private static final int LABEL_WIDTH = 220;
    private static final int ROW = 16;

    private SvgCharts() {
    }

    /** Channels per prunable group: the whole bar is before pruning, the dark part what was kept. */
    static String channels(List<GroupSummary> groups) {
        List<GroupSummary> shown = groups.size() > MAX_GROUP_BARS ? groups.subList(0, MAX_GROUP_BARS) : groups;
        int max = shown.stream().mapToInt(GroupSummary::channels).max().orElse(1);
        int height = 30 + ROW * Math.max(1, shown.size()) + (shown.size() < groups.size() ? ROW : 0);
        StringBuilder svg = open("chart-channels", height, "Channels kept per prunable group");
        int barSpace = WIDTH - LABEL_WIDTH - 90;
        int y = 20;
        for (GroupSummary g : shown) {
            double full = barSpace * (double) g.channels() / max;
            double kept = barSpace * (double) g.kept() / max;
            svg.append("<g class=\"group\">");
            svg.append(text(LABEL_WIDTH - 6, y + 11, "end", "label", shorten(g.name())));
            svg.append(rect(LABEL_WIDTH, y, full, ROW - 4, "bar-before"));
            svg.append(rect(LABEL_WIDTH, y, kept, ROW - 4, "bar-kept"));
            svg.append(text(LABEL_WIDTH + full + 4, y + 11, "start", "value", g.kept() + " / " + g.channels()));
            svg.append("<title>").append(escape(g.name())).append(": ").append(g.kept()).append(" of ")
                    .append(g.channels()).append(" channels kept</title></g>\n");
            y += ROW;
        }
        if (groups.isEmpty()) {
            svg.append(text(LABEL_WIDTH, y + 11, "start", "note", "no prunable group"));
        }
        if (shown.size() < groups.size()) {
            svg.append(text(LABEL_WIDTH, y + 11, "start", "note", "… and " + (groups.size() - shown.size())
                    + " more groups (see the table)"));
        }
        return svg.append(legend(height - 6, "before", "kept")).append("</svg>\n").toString();
    }

    /** MACs of the model before and after pruning (FLOPs are twice these). */
    static String macs(long original, long pruned) {
        int height = 90;
        StringBuilder svg = open("chart-macs", height, "MACs before and after pruning");
        int barSpace = WIDTH - LABEL_WIDTH - 160;
        long max = Math.max(1, Math.max(original, pruned));
        String[][] rows = {{"original", Long.toString(original)}, {"pruned", Long.toString(pruned)}};
        long[] values = {original, pruned};
        for (int i = 0; i < 2; i++) {
            int y = 14 + i * 28;
            double w = barSpace * (double) values[i] / max;
            svg.append(text(LABEL_WIDTH - 6, y + 14, "end", "label", rows[i][0]));
            svg.append(rect(LABEL_WIDTH, y, w, 20, "bar-" + rows[i][0]));
            svg.append(text(LABEL_WIDTH + w + 4, y + 14, "start", "value", String.format(Locale.ROOT, "%,d MACs",
                    values[i])));
        }
        svg.append(text(LABEL_WIDTH, height - 8, "start", "note", String.format(Locale.ROOT,
                "pruned / original = %.4f", pruned / (double) Math.max(1, original))));
        return svg.append("</svg>\n").toString();
    }

    /** One stage's accuracy for the accuracy chart; {@code top1} null when the stage was not evaluated. */
    record StageAccuracy(String stage, Double top1, String note) {
    }

    /** Top-1 accuracy after each stage; a stage without a figure shows why. */
    static String accuracy(List<StageAccuracy> stages) {
        int height = 30 + 28 * stages.size();
        StringBuilder svg = open("chart-accuracy", height, "Top-1 accuracy after each stage");
        int barSpace = WIDTH - LABEL_WIDTH - 90;
        int y = 10;
        for (StageAccuracy s : stages) {
            svg.append("<g class=\"stage\">");
            svg.append(text(LABEL_WIDTH - 6, y + 14, "end", "label", s.stage()));
            if (s.top1() == null) {
                svg.append(text(LABEL_WIDTH, y + 14, "start", "note", "n/a" + (s.note() == null ? ""
                        : ": " + shorten(s.note()))));
            } else {
                double w = barSpace * s.top1();
                svg.append(rect(LABEL_WIDTH, y, barSpace, 20, "bar-scale"));
                svg.append(rect(LABEL_WIDTH, y, w, 20, "bar-top1"));
                svg.append(text(LABEL_WIDTH + barSpace + 4, y + 14, "start", "value",
                        String.format(Locale.ROOT, "%.2f%%", 100 * s.top1())));
            }
            svg.append("</g>\n");
            y += 28;
        }
        return svg.append("</svg>\n").toString();
    }

    /** Training loss per epoch, and validation loss where there is one. */
    static String loss(List<JobReport.Epoch> epochs) {
        int height = 240;
        int left = 60;
        int right = WIDTH - 20;
        int top = 20;
        int bottom = height - 40;
        StringBuilder svg = open("chart-loss", height, "Loss per epoch");
        double max = 0;
        for (JobReport.Epoch e : epochs) {
            max = Math.max(max, e.trainLoss() == null ? 0 : e.trainLoss());
            max = Math.max(max, e.valLoss() == null ? 0 : e.valLoss());
        }
        max = max <= 0 ? 1 : max * 1.1;
        svg.append(line(left, bottom, right, bottom, "axis")).append(line(left, top, left, bottom, "axis"));
        svg.append(text(left - 4, top + 4, "end", "value", String.format(Locale.ROOT, "%.3g", max)));
        svg.append(text(left - 4, bottom, "end", "value", "0"));
        int n = epochs.size();
        for (String series : new String[] {"train", "val"}) {
            List<String> points = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                JobReport.Epoch e = epochs.get(i);
                Double v = series.equals("train") ? e.trainLoss() : e.valLoss();
                if (v == null) {
                    continue;
                }
                double x = n == 1 ? (left + right) / 2.0 : left + (right - left) * i / (double) (n - 1);
                double y = bottom - (bottom - top) * v / max;
                points.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                svg.append(String.format(Locale.ROOT, "<circle class=\"point-%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\">"
                        + "<title>epoch %d %s loss %.4f</title></circle>", series, x, y, e.epoch(), series, v));
            }
            if (!points.isEmpty()) {
                svg.append("<polyline class=\"loss-").append(series).append("\" fill=\"none\" points=\"")
                        .append(String.join(" ", points)).append("\"/>\n");
            }
        }
        for (int i = 0; i < n; i++) {
            double x = n == 1 ? (left + right) / 2.0 : left + (right - left) * i / (double) (n - 1);
            svg.append(text(x, bottom + 16, "middle", "value", Integer.toString(epochs.get(i).epoch())));
        }
        svg.append(text((left + right) / 2.0, height - 6, "middle", "label", "epoch"));
        return svg.append(legend(14, "train loss", "validation loss")).append("</svg>\n").toString();
    }

    /**
     * A sweep's frontier: top-1 accuracy against MACs, one point per candidate that has both, the chosen one
     * ringed; candidates without a point are named under the axes with the reason.
     */
    static String frontier(List<JobReport.SweepCandidate> candidates) {
        List<JobReport.SweepCandidate> plotted = candidates.stream()
                .filter(c -> c.reachable() && c.macs() != null && c.top1() != null).toList();
        List<JobReport.SweepCandidate> missing = candidates.stream().filter(c -> !plotted.contains(c)).toList();
        int left = 60;
        int right = WIDTH - 30;
        int top = 20;
        int bottom = 220;
        int height = bottom + 44 + ROW * missing.size();
        StringBuilder svg = open("chart-frontier", height, "Top-1 accuracy against MACs, one point per candidate");
        long maxMacs = Math.max(1, plotted.stream().mapToLong(JobReport.SweepCandidate::macs).max().orElse(1));
        svg.append(line(left, bottom, right, bottom, "axis")).append(line(left, top, left, bottom, "axis"));
        svg.append(text(left - 4, top + 4, "end", "value", "100%"));
        svg.append(text(left - 4, bottom, "end", "value", "0%"));
        svg.append(text(left, bottom + 16, "middle", "value", "0"));
        svg.append(text(right, bottom + 16, "end", "value", String.format(Locale.ROOT, "%,d", maxMacs)));
        svg.append(text((left + right) / 2.0, bottom + 32, "middle", "label", "MACs"));
        for (JobReport.SweepCandidate c : plotted) {
            // Points stay off the right edge so the largest candidate's label fits.
            double x = left + (right - left - 40) * (double) c.macs() / maxMacs;
            double y = bottom - (bottom - top) * c.top1();
            String label = String.format(Locale.ROOT, "%s: %.2f%%", c.fraction(), 100 * c.top1());
            svg.append("<g class=\"candidate\">");
            if (c.chosen()) {
                svg.append(String.format(Locale.ROOT, "<circle class=\"ring-chosen\" cx=\"%.1f\" cy=\"%.1f\" "
                        + "r=\"8\" fill=\"none\"/>", x, y));
            }
            svg.append(String.format(Locale.ROOT, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\">"
                            + "<title>fraction %s: %,d MACs, top-1 %.2f%%%s</title></circle>",
                    c.chosen() ? "point-chosen" : "point-candidate", x, y, c.fraction(), c.macs(),
                    100 * c.top1(), c.chosen() ? " (chosen)" : ""));
            svg.append(text(x + 10, y - 6, "start", "value", label + (c.chosen() ? " (chosen)" : "")));
            svg.append("</g>\n");
        }
        int y = bottom + 50;
        for (JobReport.SweepCandidate c : missing) {
            svg.append(text(left, y, "start", "note", c.fraction() + ": " + (c.reachable()
                    ? "no accuracy" : "unreachable") + (c.note() == null ? "" : " (" + shorten(c.note()) + ")")));
            y += ROW;
        }
        return svg.append("</svg>\n").toString();
    }

    private static StringBuilder open(String id, int height, String title) {
        return new StringBuilder(String.format(Locale.ROOT, "<svg id=\"%s\" class=\"chart\" role=\"img\" "
                + "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">"
                + "<title>%s</title>\n", id, WIDTH, height, WIDTH, height, escape(title)));
    }

    private static String legend(int y, String first, String second) {
        return "<g class=\"legend\">" + rect(WIDTH - 230, y - 9, 10, 10, "legend-first")
                + text(WIDTH - 216, y, "start", "value", first) + rect(WIDTH - 120, y - 9, 10, 10, "legend-second")
                + text(WIDTH - 106, y, "start", "value", second) + "</g>\n";
    }

    private static String rect(double x, double y, double w, double h, String cssClass) {
        return String.format(Locale.ROOT, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                cssClass, x, y, Math.max(0, w), h);
    }

    private static String line(double x1, double y1, double x2, double y2, String cssClass) {
        return String.format(Locale.ROOT, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                cssClass, x1, y1, x2, y2);
    }

    private static String text(double x, double y, String anchor, String cssClass, String content) {
        return String.format(Locale.ROOT, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>",
                cssClass, x, y, anchor, escape(content));
    }

    /** Long node names would push the bars off the chart; the tooltip and the tables keep the full name. */
    private static String shorten(String s) {
        return s.length() <= 34 ? s : s.substring(0, 16) + "…" + s.substring(s.length() - 16);
    }
}
