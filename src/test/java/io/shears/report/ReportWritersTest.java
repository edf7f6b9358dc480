package io.shears.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** report.json and report.html from a hand-made report. */
class ReportWritersTest {
    @TempDir
    Path dir;

    @Test
    void htmlHasTheFourChartsAndEscapesEveryUserText() throws Exception {
        Path file = dir.resolve("report.html");

        ReportHtml.write(SampleReports.fineTuned(), file);

        String html = Files.readString(file);
        assertThat(html).contains("<svg id=\"chart-channels\"", "<svg id=\"chart-macs\"", "<svg id=\"chart-accuracy\"",
                "<svg id=\"chart-loss\"");
        assertThat(html.toLowerCase()).doesNotContain("<script");
        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        assertThat(html).doesNotContainPattern("(?i)(src|href)\\s*=\\s*\"(https?:)?//").doesNotContain("@import",
                "<link");
        assertThat(countOf(html, "class=\"bar-kept\"")).isEqualTo(2);
        assertThat(countOf(html, "class=\"point-train\"")).isEqualTo(2);
        assertThat(countOf(html, "class=\"point-val\"")).isEqualTo(1);
        assertThat(html).contains("4 steps, 200 training FLOPs, 2 PyTorch threads (2 processors, OpenMP "
                + "GOMP_SPINCOUNT=10000, malloc arena_max=1 trim_threshold=1073741824, JIT compilers c1).");
    }

    @Test
    void htmlWithoutFineTuningHasNoLossChartAndSaysWhyAStageHasNoAccuracy() {
        JobReport r = SampleReports.fineTuned();
        JobReport.Accuracy a = r.accuracy();
        JobReport untuned = new JobReport(r.formatVersion(), r.versions(), r.spec(), r.model(), r.compute(), r.head(),
                r.recalibration(), null, new JobReport.Accuracy(a.datasetId(), a.split(), a.classes(), null,
                a.prunedZeroShot(), a.recalibrated(), null, a.runtime(), java.util.Map.of("original", "head replaced")),
                r.export(), r.latency(), null, r.stages());

        String html = ReportHtml.render(untuned);

        assertThat(html).contains("id=\"chart-accuracy\"", "n/a: head replaced").doesNotContain("chart-loss");
    }

    @Test
    void jsonKeepsTheRecordOrderAndReadsBackEqual() throws Exception {
        Path file = dir.resolve("report.json");
        JobReport report = SampleReports.swept();

        ReportJson.write(report, file);

        String json = Files.readString(file);
        assertThat(topLevelKeys(json)).containsExactly("formatVersion", "job", "versions", "spec", "model", "compute",
                "head", "recalibration", "fineTuning", "accuracy", "export", "latency", "sweep", "stages");
        assertThat(json).doesNotContain("NaN").contains("\"valLoss\" : null");
        assertThat(ReportJson.MAPPER.readTree(json).get("sweep").propertyNames())
                .containsExactly("trainFlops", "candidates");
        JobReport back = ReportJson.read(file);
        assertThat(ReportJson.toJson(back)).isEqualTo(ReportJson.toJson(report));
        ReportJson.write(back, dir.resolve("again.json"));
        assertThat(Files.readString(dir.resolve("again.json"))).isEqualTo(json);
    }

    @Test
    void aFineTuningRecordedBeforeThreadsWereReportedStillReads() throws Exception {
        // A job interrupted across an upgrade resumes from stage results written by the older version.
        String older = "{\"datasetId\":\"train\",\"epochs\":[],\"steps\":4,\"trainFlops\":200,"
                + "\"budgetReached\":true,\"resumedAtEpoch\":0}";

        JobReport.FineTuning tuning = ReportJson.MAPPER.readValue(older, JobReport.FineTuning.class);

        assertThat(tuning.steps()).isEqualTo(4);
        assertThat(tuning.threads()).isNull();
        assertThat(ReportHtml.render(new JobReport(JobReport.FORMAT_VERSION, SampleReports.fineTuned().versions(),
                SampleReports.fineTuned().spec(), SampleReports.fineTuned().model(), SampleReports.fineTuned().compute(),
                null, null, tuning, null, null, null, null, List.of())))
                .contains("4 steps, 200 training FLOPs, stopped at the FLOP budget.");
    }

    @Test
    void summaryTakesTheLastEvaluatedStageAndTheBatch32SpeedUp() {
        JobSummary s = JobSummary.of(SampleReports.fineTuned());

        assertThat(s.originalMacs()).isEqualTo(1000);
        assertThat(s.prunedFlops()).isEqualTo(960);
        assertThat(s.macsRatio()).isEqualTo(0.48);
        assertThat(s.finalTop1()).isEqualTo(0.75);
        assertThat(s.speedUpBatch32()).isEqualTo(1.6);
        assertThat(s.chosenFraction()).isNull();
        assertThat(JobSummary.of(SampleReports.swept()).chosenFraction()).isEqualTo(0.5);
    }

    @Test
    void htmlOfASweepPlotsEveryReachableCandidateMarksTheChosenOneAndListsTheUnreachable() {
        String html = ReportHtml.render(SampleReports.swept());

        String chart = html.substring(html.indexOf("<svg id=\"chart-frontier\""));
        chart = chart.substring(0, chart.indexOf("</svg>"));
        assertThat(countOf(chart, "class=\"point-candidate\"")).isEqualTo(1);
        assertThat(countOf(chart, "class=\"point-chosen\"")).isEqualTo(1);
        assertThat(chart).contains("0.25: unreachable");
        assertThat(html).contains("<h2>Sweep</h2>", "chosen fraction", "smallest reachable &lt;b&gt;");
        assertThat(html).doesNotContain("<b>");
    }

    @Test
    void aJobsReportIsTitledByTheUploadNameAndNamesItsDatasetsAndTimes() {
        JobReport report = SampleReports.fineTuned().withJob(SampleReports.job());

        String html = ReportHtml.render(report);

        String escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;";
        assertThat(html).contains("<title>Shears report: uploaded " + escaped + "</title>")
                .contains("<h1>Shears report: uploaded " + escaped + "</h1>")
                .contains("<td>job-1</td>", "photos " + escaped + " (train)", "Dataset photos " + escaped + ", val",
                        "2026-01-02T03:04:05Z", "2026-01-02T03:09:05.250Z");
        assertThat(html.toLowerCase()).doesNotContain("<script");
        JsonNode job = ReportJson.toTree(report).get("job");
        assertThat(job.get("startedAt").asString()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(job.get("datasetNames").get("train").asString()).isEqualTo("photos " + SampleReports.HOSTILE);
    }

    @Test
    void aReportOfNoJobIsTitledByTheModelsGraphName() {
        String html = ReportHtml.render(SampleReports.fineTuned());

        assertThat(html).contains("<title>Shears report: &lt;script&gt;").doesNotContain("<td>job</td>")
                .contains("Dataset train, val");
        assertThat(ReportJson.toTree(SampleReports.fineTuned()).get("job").isNull()).isTrue();
    }

    @Test
    void evaluationWithoutSamplesHasNullFiguresNotNaN() {
        var empty = new io.shears.engine.evaluation.EvaluationResult(0, Double.NaN, java.util.OptionalDouble.empty(), Double.NaN,
                new double[] {Double.NaN}, new long[][] {{0}});

        JobReport.Evaluation e = JobReport.Evaluation.of(empty);

        assertThat(e.top1()).isNull();
        assertThat(e.top5()).isNull();
        assertThat(e.meanLoss()).isNull();
        assertThat(e.perClass()).containsExactly((Double) null);
    }

    @Test
    void theConfusionMatrixIsKeptUpToAHundredClassesAndItsAbsenceIsExplained() {
        JobReport.Evaluation hundred = JobReport.Evaluation.of(evaluation(100));
        JobReport.Evaluation more = JobReport.Evaluation.of(evaluation(101));

        assertThat(hundred.confusion()).hasDimensions(100, 100);
        assertThat(hundred.confusion()[3][4]).isEqualTo(1);
        assertThat(hundred.confusionOmitted()).isNull();
        assertThat(more.confusion()).isNull();
        assertThat(more.confusionOmitted()).contains("101 classes", "only up to 100");
        assertThat(more.perClass()).hasSize(101);
        JsonNode json = ReportJson.toTree(more);
        assertThat(json.get("confusion").isNull()).isTrue();
        assertThat(json.get("confusionOmitted").asString()).contains("101 classes");
    }

    @Test
    void reportsGrowLinearlyWithTheClassCount() throws Exception {
        long json500 = reportBytes(500, "report.json");
        long json1000 = reportBytes(1000, "report.json");
        long html500 = reportBytes(500, "report.html");
        long html1000 = reportBytes(1000, "report.html");

        // four evaluations of 1,000 classes: a confusion matrix each would be 4 million numbers, tens of megabytes
        assertThat(json1000).isLessThan(512 * 1024);
        assertThat(html1000).isLessThan(512 * 1024);
        assertThat((double) json1000 / json500).isLessThan(2.5);
        assertThat((double) html1000 / html500).isLessThan(2.5);
    }

    private long reportBytes(int classes, String name) throws Exception {
        JobReport r = SampleReports.fineTuned();
        JobReport.Evaluation e = JobReport.Evaluation.of(evaluation(classes));
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("class-" + c);
        }
        JobReport many = new JobReport(r.formatVersion(), r.versions(), r.spec(), r.model(), r.compute(), r.head(),
                r.recalibration(), r.fineTuning(), new JobReport.Accuracy("d", "val", names, e, e, e, e,
                "onnxruntime", java.util.Map.of()), r.export(), r.latency(), null, r.stages());
        Path file = dir.resolve(classes + "-" + name);
        if (name.endsWith(".json")) {
            ReportJson.write(many, file);
        } else {
            ReportHtml.write(many, file);
        }
        return Files.size(file);
    }

    /** Two samples per class: one right, one taken for the next class; accuracies differ per class. */
    private static io.shears.engine.evaluation.EvaluationResult evaluation(int classes) {
        long[][] confusion = new long[classes][classes];
        double[] perClass = new double[classes];
        for (int c = 0; c < classes; c++) {
            confusion[c][c] = 1;
            confusion[c][(c + 1) % classes] += 1;
            perClass[c] = 0.5 + c / (4.0 * classes);
        }
        return new io.shears.engine.evaluation.EvaluationResult(2L * classes, 0.5, java.util.OptionalDouble.of(0.75), 1.25,
                perClass, confusion);
    }

    private static List<String> topLevelKeys(String json) {
        List<String> keys = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^  \"([A-Za-z0-9]+)\" :").matcher(json);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    private static int countOf(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }
}
