package io.shears.report;

import io.shears.pruning.GroupSummary;
import io.shears.pruning.ModelTotals;
import io.shears.pruning.PruningReport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import static io.shears.report.HtmlText.escape;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no script, nothing fetched from the network) that
 * shows the job's report with charts of the channels kept per group, MACs before and after, accuracy after each stage,
 * the loss per epoch when the job fine-tuned and, for a sweep, the frontier of accuracy against MACs. Every text taken from the model, the spec or the dataset is
 * escaped.
 */
public final class ReportHtml {
    private static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:960px;\
            color:#1d2330;padding:0 16px}
            h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d8dce4;padding-bottom:4px}
            table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eceef2;\
            text-align:left;vertical-align:top}th{background:#f4f5f8}td.num{text-align:right;\
            font-variant-numeric:tabular-nums}
            pre{background:#f4f5f8;padding:10px;overflow:auto}.note{color:#5b6475}
            svg.chart{display:block;margin:8px 0}svg text{font:11px system-ui,sans-serif;fill:#1d2330}
            svg text.note{fill:#5b6475}.bar-before,.bar-scale,.legend-first{fill:#d5dae6}\
            .bar-kept,.bar-top1,.bar-pruned{fill:#2f6fdb}.bar-original{fill:#8d99b3}.legend-second{fill:#2f6fdb}
            .axis{stroke:#5b6475}.loss-train{stroke:#8d99b3;stroke-width:2}\
            .loss-val{stroke:#2f6fdb;stroke-width:2}.point-train{fill:#8d99b3}.point-val{fill:#2f6fdb}
            .point-candidate{fill:#8d99b3}.point-chosen{fill:#2f6fdb}.ring-chosen{stroke:#2f6fdb;stroke-width:2}
            """;

    private ReportHtml() {
    }

    public static void write(JobReport report, Path target) {
        ReportJson.writeText(render(report), target);
    }

    public static String render(JobReport report) {
        PruningReport compute = report.compute();
        StringBuilder html = new StringBuilder(32_768);
        String name = report.title();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Shears report: ").append(escape(name)).append("</title><style>").append(STYLE)
                .append("</style></head><body>\n");
        html.append("<h1>Shears report: ").append(escape(name)).append("</h1>\n");
        if (report.job() != null) {
            job(html, report.job());
        }
        summary(html, report);
        if (report.sweep() != null) {
            html.append("<h2>Sweep</h2>\n");
            sweep(html, report.sweep());
        }

        html.append("<h2>Compute</h2>\n<p class=\"note\">MACs are the multiply-accumulates of Conv, ConvTranspose, "
                + "Gemm and MatMul; FLOPs = 2 × MACs.</p>\n");
        html.append(SvgCharts.macs(compute.original().macs(), compute.pruned().macs()));
        totals(html, compute);

        html.append("<h2>Channels</h2>\n<p class=\"note\">Scope ").append(escape(compute.scope()))
                .append(", criterion ").append(escape(compute.criterion())).append(", allocation ")
                .append(escape(compute.allocation())).append(", channel counts rounded to multiples of ")
                .append(compute.roundTo()).append(".</p>\n");
        html.append(SvgCharts.channels(compute.groups()));
        groups(html, compute.groups(), false);
        if (!compute.frozenGroups().isEmpty()) {
            html.append("<h3>Frozen groups</h3>\n");
            groups(html, compute.frozenGroups(), true);
        }

        html.append("<h2>Accuracy</h2>\n");
        accuracy(html, report);

        if (report.fineTuning() != null) {
            html.append("<h2>Fine-tuning</h2>\n");
            fineTuning(html, report.fineTuning(), report.datasetLabel(report.fineTuning().datasetId()));
        }
        if (report.recalibration() != null) {
            JobReport.Recalibration r = report.recalibration();
            html.append("<h2>BatchNorm recalibration</h2>\n<p>").append(escape(r.note())).append(" (dataset ")
                    .append(escape(report.datasetLabel(r.datasetId()))).append(").</p>\n");
        }
        if (report.latency() != null) {
            html.append("<h2>Latency (ONNX Runtime, CPU)</h2>\n");
            latency(html, report.latency());
        }
        html.append("<h2>Stages</h2>\n");
        table(html, List.of("stage", "status", "ms"), report.stages(), s -> List.of(s.stage(), s.status(),
                num(s.millis())));
        html.append("<h2>Versions</h2>\n");
        JobReport.Versions v = report.versions();
        table(html, List.of("component", "version"), List.of(
                        new String[] {"Shears", v.shears()}, new String[] {"DJL", v.djl()},
                        new String[] {"PyTorch native", v.pytorchNative()}, new String[] {"ONNX Runtime", v.onnxRuntime()},
                        new String[] {"Java", v.java()}),
                row -> List.of(row[0], String.valueOf(row[1])));
        html.append("<h2>Job spec</h2>\n<pre>").append(escape(ReportJson.toJson(report.spec()))).append("</pre>\n");
        return html.append("</body></html>\n").toString();
    }

    private static void job(StringBuilder html, JobReport.Job job) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"job", job.id()});
        rows.add(new String[] {"model", job.modelName()});
        job.datasetNames().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(d ->
                rows.add(new String[] {"dataset", d.getValue() + " (" + d.getKey() + ")"}));
        rows.add(new String[] {"started", job.startedAt() == null ? "" : job.startedAt().toString()});
        rows.add(new String[] {"finished", job.finishedAt() == null ? "" : job.finishedAt().toString()});
        table(html, List.of("", ""), rows, r -> List.of(r[0], String.valueOf(r[1])));
    }

    private static void summary(StringBuilder html, JobReport report) {
        JobSummary s = JobSummary.of(report);
        List<String[]> rows = new ArrayList<>();
        if (s.chosenFraction() != null) {
            rows.add(new String[] {"chosen fraction", s.chosenFraction() + " of the original MACs, the most "
                    + "accurate candidate within " + num(report.sweep().trainFlops()) + " training FLOPs"});
        }
        rows.add(new String[] {"budget", report.compute().target().budget()});
        rows.add(new String[] {"MACs", num(s.originalMacs()) + " → " + num(s.prunedMacs()) + String.format(Locale.ROOT,
                " (%.4f)", s.macsRatio())});
        rows.add(new String[] {"params", num(s.originalParams()) + " → " + num(s.prunedParams())});
        if (s.finalTop1() != null) {
            rows.add(new String[] {"final top-1", percent(s.finalTop1())});
        }
        if (s.speedUpBatch32() != null) {
            rows.add(new String[] {"speed-up at batch 32", String.format(Locale.ROOT, "%.2f×", s.speedUpBatch32())});
        }
        if (report.head() != null && report.head().replaced()) {
            JobReport.HeadChange h = report.head();
            rows.add(new String[] {"head", "replaced at " + h.node() + ": " + h.oldClasses() + " → "
                    + h.newClasses() + " classes"});
        }
        table(html, List.of("", ""), rows, r -> List.of(r[0], r[1]));
    }

    private static void sweep(StringBuilder html, JobReport.Sweep sweep) {
        html.append("<p class=\"note\">Every candidate was pruned to its fraction of the original MACs and "
                + "fine-tuned within the same budget of ").append(num(sweep.trainFlops())).append(" training FLOPs "
                + "(3 × forward FLOPs per sample seen), so smaller candidates saw more samples. The sections below "
                + "are the chosen candidate's.</p>\n");
        html.append(SvgCharts.frontier(sweep.candidates()));
        table(html, List.of("fraction", "MACs", "FLOPs", "params", "training FLOPs", "samples seen", "epochs",
                "top-1", "top-5", "mean loss", "chosen", "note"), sweep.candidates(), c -> List.of(
                Double.toString(c.fraction()), num(c.macs()), num(c.flops()), num(c.params()),
                num(c.trainFlopsSpent()), num(c.samplesSeen()), c.epochs() == null ? "" : c.epochs().toString(),
                percent(c.top1()), percent(c.top5()), decimal(c.meanLoss()), c.chosen() ? "chosen" : "",
                c.reachable() ? (c.note() == null ? "" : c.note()) : "unreachable: " + c.note()));
    }

    private static void totals(StringBuilder html, PruningReport c) {
        List<Object[]> rows = List.of(new Object[] {"original", c.original()}, new Object[] {"pruned", c.pruned()});
        table(html, List.of("model", "MACs", "FLOPs", "params", "bytes"), rows, r -> {
            ModelTotals t = (ModelTotals) r[1];
            return List.of((String) r[0], num(t.macs()), num(t.flops()), num(t.params()), num(t.bytes()));
        });
    }

    private static void groups(StringBuilder html, List<GroupSummary> groups, boolean frozen) {
        List<String> head = frozen ? List.of("group", "channels", "why frozen") : List.of("group", "channels", "kept");
        table(html, head, groups, g -> List.of(g.name(), channels(g.channels(), g.unitWidth()), frozen
                ? String.join("; ", g.frozenReasons()) : channels(g.kept(), g.unitWidth())));
    }

    /** A channel count, with the positions each spans where a channel is a head or a convolution group's slice. */
    private static String channels(int count, int unitWidth) {
        return unitWidth == 1 ? num(count) : num(count) + " × " + unitWidth + " wide";
    }

    private static void accuracy(StringBuilder html, JobReport report) {
        JobReport.Accuracy a = report.accuracy();
        if (a == null) {
            html.append("<p class=\"note\">The job evaluated no dataset.</p>\n");
            return;
        }
        html.append("<p class=\"note\">Dataset ").append(escape(report.datasetLabel(a.datasetId()))).append(", ")
                .append(escape(a.split())).append(" split");
        if (a.runtime() != null) {
            html.append(", evaluated in ").append(escape(a.runtime()));
        }
        String runtimeNote = a.notes().get("runtime");
        html.append(runtimeNote == null ? "" : " (" + escape(runtimeNote) + ")").append(".</p>\n");
        String[] names = {"original", "prunedZeroShot", "recalibrated", "fineTuned"};
        String[] labels = {"original", "pruned (zero-shot)", "recalibrated", "fine-tuned"};
        JobReport.Evaluation[] evals = {a.original(), a.prunedZeroShot(), a.recalibrated(), a.fineTuned()};
        List<SvgCharts.StageAccuracy> bars = new ArrayList<>();
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            JobReport.Evaluation e = evals[i];
            String note = a.notes().get(names[i]);
            bars.add(new SvgCharts.StageAccuracy(labels[i], e == null ? null : e.top1(), note));
            rows.add(e == null
                    ? new String[] {labels[i], "", "", "", "", note == null ? "" : note}
                    : new String[] {labels[i], percent(e.top1()), percent(e.top5()),
                    e.meanLoss() == null ? "" : String.format(Locale.ROOT, "%.4f", e.meanLoss()), num(e.samples()),
                    note == null ? "" : note});
        }
        html.append(SvgCharts.accuracy(bars));
        table(html, List.of("stage", "top-1", "top-5", "mean loss", "samples", "note"), rows, List::of);
        JobReport.Evaluation last = null;
        for (JobReport.Evaluation e : evals) {
            last = e != null ? e : last;
        }
        if (last != null && !a.classes().isEmpty()) {
            html.append("<h3>Per class (last evaluated stage)</h3>\n");
            List<Double> perClass = last.perClass();
            List<String[]> classRows = new ArrayList<>();
            for (int c = 0; c < a.classes().size() && c < perClass.size(); c++) {
                classRows.add(new String[] {a.classes().get(c), percent(perClass.get(c))});
            }
            table(html, List.of("class", "top-1"), classRows, r -> List.of(r[0], r[1]));
        }
    }

    /** The OpenMP variables that were set, as NAME=value in the record's (sorted) order, or "defaults" if none was. */
    private static String openMpSet(Map<String, String> openMp) {
        List<String> set = new ArrayList<>();
        openMp.forEach((name, value) -> {
            if (value != null && !value.equals("unset")) {
                set.add(name + "=" + value);
            }
        });
        return set.isEmpty() ? "defaults" : String.join(" ", set);
    }

    /** glibc's malloc tunables without their common prefix, space-separated, or "defaults" when none was set. */
    private static String mallocSet(String tunables) {
        if (tunables == null || tunables.equals("unset") || tunables.isBlank()) {
            return "defaults";
        }
        return tunables.replace("glibc.malloc.", "").replace(':', ' ');
    }

    private static void fineTuning(StringBuilder html, JobReport.FineTuning f, String dataset) {
        html.append("<p class=\"note\">Dataset ").append(escape(dataset)).append(": ").append(f.steps())
                .append(" steps, ").append(num(f.trainFlops())).append(" training FLOPs")
                .append(f.budgetReached() ? ", stopped at the FLOP budget" : "")
                .append(f.resumedAtEpoch() > 0 ? ", resumed at epoch " + f.resumedAtEpoch() : "")
                .append(f.threads() != null ? ", " + f.threads() + " PyTorch thread" + (f.threads() == 1 ? "" : "s") : "")
                .append(f.threading() == null ? "" : " (" + f.threading().availableProcessors() + " processors"
                        + (f.threading().cpuQuota() == null ? "" : ", a quota of " + decimal(f.threading().cpuQuota())
                        + " CPUs") + ", OpenMP " + escape(openMpSet(f.threading().openMp()))
                        + ", malloc " + escape(mallocSet(f.threading().mallocTunables()))
                        + ", JIT compilers " + escape(f.threading().jitCompilers()) + ")")
                .append(".</p>\n");
        html.append(SvgCharts.loss(f.epochs()));
        table(html, List.of("epoch", "train loss", "train accuracy", "val loss", "val top-1", "seconds"), f.epochs(),
                e -> List.of(Integer.toString(e.epoch()), decimal(e.trainLoss()), percent(e.trainAccuracy()),
                        decimal(e.valLoss()), percent(e.valTop1()), String.format(Locale.ROOT, "%.2f", e.seconds())));
    }

    private static void latency(StringBuilder html, JobReport.Latency l) {
        html.append("<p class=\"note\">Median of up to ").append(l.runs()).append(" runs of each model, the original's "
                + "and the pruned model's alternating, after ").append(l.warmup()).append(" warm-up runs, ")
                .append(l.threads()).append(" intra-op thread(s); the spread is the 10th to 90th percentile.</p>\n");
        table(html, List.of("batch", "original ms", "original spread", "pruned ms", "pruned spread", "runs",
                "speed-up", "note"), l.batches(), b -> List.of(
                Integer.toString(b.batch()), b.original() == null ? "" : decimal(b.original().medianMs()),
                spread(b.original()), b.pruned() == null ? "" : decimal(b.pruned().medianMs()), spread(b.pruned()),
                b.original() == null || b.original().runs() == null ? ""
                        : b.original().runs() + (b.stop() == null ? "" : " (" + b.stop() + ")"),
                b.speedUp() == null ? "" : String.format(Locale.ROOT, "%.2f×", b.speedUp()),
                b.note() == null ? "" : b.note()));
    }

    private static String spread(JobReport.LatencyFigures f) {
        return f == null || f.p10Ms() == null || f.p90Ms() == null ? ""
                : decimal(f.p10Ms()) + "–" + decimal(f.p90Ms());
    }

    private static <T> void table(StringBuilder html, List<String> head, List<T> rows, Function<T, List<String>> cells) {
        html.append("<table><thead><tr>");
        for (String h : head) {
            html.append("<th>").append(escape(h)).append("</th>");
        }
        html.append("</tr></thead><tbody>\n");
        for (T row : rows) {
            html.append("<tr>");
            for (String cell : cells.apply(row)) {
                boolean numeric = !cell.isEmpty() && cell.chars().allMatch(ch -> Character.isDigit(ch) || ",.%× "
                        .indexOf(ch) >= 0);
                html.append(numeric ? "<td class=\"num\">" : "<td>").append(escape(cell)).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody></table>\n");
    }

    private static String num(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String num(Long n) {
        return n == null ? "" : num(n.longValue());
    }

    private static String percent(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private static String decimal(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
