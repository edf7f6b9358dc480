package io.shears.report;

import io.shears.pruning.GroupSummary;
import io.shears.pruning.ModelTotals;
import io.shears.pruning.PruningReport;

import java.util.List;
import java.util.Map;

/** A hand-made report with every section filled, whose names try to inject markup as a hostile upload would. */
final class SampleReports {
    static final String HOSTILE = "<script>alert('x')</script>";

    private SampleReports() {
    }

    /** The fine-tuned report as the chosen candidate of a sweep over 1.0, 0.5 and an unreachable 0.25. */
    static JobReport swept() {
        JobReport r = fineTuned();
        JobReport.Sweep sweep = new JobReport.Sweep(200, List.of(
                new JobReport.SweepCandidate(1.0, true, 1000L, 2000L, 300L, 180L, 3L, 1, 0.5, null, 0.9, false, null),
                new JobReport.SweepCandidate(0.5, true, 480L, 960L, 150L, 200L, 8L, 2, 0.75, null, 0.5, true, null),
                new JobReport.SweepCandidate(0.25, false, null, null, null, null, null, null, null, null, null, false,
                        "smallest reachable <b>")));
        return new JobReport(r.formatVersion(), r.versions(), r.spec(), r.model(), r.compute(), r.head(),
                r.recalibration(), r.fineTuning(), r.accuracy(), r.export(), r.latency(), sweep, r.stages())
                .withJob(job());
    }

    /** A service job whose upload names try to inject markup. */
    static JobReport.Job job() {
        return new JobReport.Job("job-1", "uploaded " + HOSTILE, Map.of("train", "photos " + HOSTILE),
                java.time.Instant.parse("2026-01-02T03:04:05Z"), java.time.Instant.parse("2026-01-02T03:09:05.250Z"));
    }

    static JobReport fineTuned() {
        PruningReport compute = new PruningReport("filters", "l1", "uniform", "within-groups", "heads", 8, 1, 1.0, List.of(), 0L,
                new PruningReport.Target("fraction=0.5", 500, 1000), new ModelTotals(1000, 2000, 300, 4000),
                new ModelTotals(480, 960, 150, 2100), 0.48, 0.96, 200,
                List.of(new GroupSummary(1, HOSTILE, 64, 32, 1, List.of(HOSTILE + ":w[0]"), List.of(), List.of()),
                        new GroupSummary(2, "layer2.conv1", 128, 64, 1, List.of("layer2.conv1:w[0]"), List.of(),
                                List.of())),
                List.of(new GroupSummary(0, "stem", 32, 32, 1, List.of("stem:w[0]"),
                        List.of("reaches the output " + HOSTILE), List.of())),
                new PruningReport.Timings(1, 2, 3, 4, 10));
        JobReport.Evaluation eval = new JobReport.Evaluation(4, 0.5, null, 0.9, List.of(1.0, 0.0),
                new long[][] {{2, 0}, {2, 0}}, null);
        JobReport.Evaluation tuned = new JobReport.Evaluation(4, 0.75, null, 0.5, List.of(1.0, 0.5),
                new long[][] {{2, 0}, {1, 1}}, null);
        return new JobReport(JobReport.FORMAT_VERSION,
                new JobReport.Versions("0.1.0", "0.33.0", "2.5.1 (cpu)", "1.29.0", "17"),
                ReportJson.toTree(Map.of("modelId", "m", "labels", Map.of("team", HOSTILE))),
                new JobReport.Model(HOSTILE, "ab", "input", List.of(1L, 3L, 8L, 8L), List.of(1L, 2L), 2, 1),
                compute, new JobReport.HeadChange("auto", false, null, 2, 2),
                new JobReport.Recalibration("cal", true, "re-estimated", 1, 2, 8),
                new JobReport.FineTuning("train", List.of(
                        new JobReport.Epoch(1, 2, 8, 0.9, 0.5, 0.8, 0.5, 100, 0.1),
                        new JobReport.Epoch(2, 2, 8, 0.6, 0.75, null, null, 200, 0.1)), 4, 200, false, 0, 2,
                        new JobReport.Threading(2, 1, 2, null, java.util.Map.of("GOMP_SPINCOUNT", "10000", "OMP_WAIT_POLICY", "unset"),
                                "glibc.malloc.arena_max=1:glibc.malloc.trim_threshold=1073741824", "c1")),
                new JobReport.Accuracy("train", "val", List.of(HOSTILE, "cat"), eval, eval, eval, tuned,
                        "onnxruntime", Map.of("original", "evaluated " + HOSTILE)),
                new JobReport.Export("cd", 2100, List.of(1L, 2L)),
                new JobReport.Latency(2, 1, 3, List.of(
                        new JobReport.LatencyComparison(1, new JobReport.LatencyFigures(2, 1, 3, 500, 1.5, 2.5, 3),
                                new JobReport.LatencyFigures(1, 1, 2, 1000, 1.0, 1.5, 3), 2.0, null, "max-runs"),
                        new JobReport.LatencyComparison(32, new JobReport.LatencyFigures(40, 39, 41, 800, 39.5, 40.5,
                                3), new JobReport.LatencyFigures(25, 24, 26, 1280, 24.5, 25.5, 3), 1.6, null,
                                "stable")), 20, 0.03),
                null,
                List.of(new JobReport.StageTiming("ANALYZE", "done", 3), new JobReport.StageTiming("PRUNE", "done", 9)));
    }
}
