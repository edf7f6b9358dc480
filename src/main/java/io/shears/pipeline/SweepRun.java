package io.shears.pipeline;

import io.shears.pruning.BudgetUnreachableException;
import io.shears.report.JobReport;
import io.shears.report.JobSummary;
import io.shears.report.ReportHtml;
import io.shears.report.ReportJson;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sweep job (Caccia et al. 2023): under one fine-tuning compute budget, which amount of zero-shot pruning gives the
 * most accurate model? Each candidate is the ordinary single-model pipeline run with a derived spec (budget: the
 * candidate's fraction; fine-tuning capped at the sweep's training FLOPs) in a work directory of its own, so it
 * resumes stage by stage and from its fine-tuning checkpoint like any job. A fraction the pruning cannot reach is
 * recorded as unreachable rather than failing the sweep. The most accurate candidate (top-1; on a tie, fewer MACs)
 * is then run once more with latency measurement, which resumes every other stage, and its files are published
 * with a report that carries the whole frontier.
 */
final class SweepRun {
    /** Latency is measured on the winner only; it gets this share of the progress bar, the candidates the rest. */
    private static final double BENCHMARK_SHARE = 0.1;
    private static final double PUBLISH_SHARE = 0.02;

    private final JobPipeline pipeline;
    private final JobSpec spec;
    private final PipelineInputs inputs;
    private final PipelineWorkspace workspace;
    private final PipelineListener listener;
    private final String modelDigest;

    SweepRun(JobPipeline pipeline, JobSpec spec, PipelineInputs inputs, PipelineWorkspace workspace,
             PipelineListener listener, String modelDigest) {
        this.pipeline = pipeline;
        this.spec = spec;
        this.inputs = inputs;
        this.workspace = workspace;
        this.listener = listener;
        this.modelDigest = modelDigest;
    }

    /** A candidate as its run left it: the candidate's own report, or why its fraction cannot be reached. */
    private record Candidate(double fraction, JobReport report, String unreachable) {
        Double top1() {
            return report.accuracy().fineTuned().top1();
        }

        long macs() {
            return report.compute().pruned().macs();
        }
    }

    /** Saved in the sweep's state so that a rerun does not search for an impossible pruning again. */
    record Unreachable(String message) {
    }

    PipelineResult execute() {
        List<Double> fractions = spec.sweep().fractions();
        boolean benchmark = pipeline.plannedStages(spec).contains(Stage.BENCHMARK);
        double candidatesShare = 1 - (benchmark ? BENCHMARK_SHARE : PUBLISH_SHARE);
        double share = candidatesShare / fractions.size();
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < fractions.size(); i++) {
            candidates.add(candidate(fractions.get(i), new ShareOfProgress(listener, i * share, share)));
        }
        Candidate winner = mostAccurate(candidates);
        if (winner == null) {
            throw new JobFailedException(BudgetUnreachableException.CODE, "no fraction of the sweep can be reached: "
                    + String.join("; ", candidates.stream().map(c -> c.fraction() + ": " + c.unreachable()).toList()));
        }

        PipelineResult published = pipeline.runSingle(candidateSpec(winner.fraction()), inputs,
                workspace.candidateDir(winner.fraction()), new ShareOfProgress(listener, candidatesShare,
                        1 - candidatesShare), modelDigest, true);
        JobReport measured = ReportJson.read(published.reportJson());
        JobReport report = sweepReport(winner, measured, candidates);

        Path model = workspace.outputFile("model.onnx");
        JobPipeline.copyAtomically(published.model(), model);
        Path csv = workspace.outputFile("training.csv");
        JobPipeline.copyAtomically(published.trainingCsv(), csv);
        Path json = workspace.outputFile("report.json");
        Path html = workspace.outputFile("report.html");
        ReportJson.write(report, json);
        ReportHtml.write(report, html);
        listener.progress(1.0);
        return new PipelineResult(model, json, html, csv, JobSummary.of(report));
    }

    private Candidate candidate(double fraction, PipelineListener share) {
        String verdict = "unreachable-" + fraction;
        PipelineWorkspace.Finished<Unreachable> known = workspace.finished(verdict, Unreachable.class);
        if (known != null) {
            share.progress(1.0);
            return new Candidate(fraction, null, known.result().message());
        }
        long start = System.nanoTime();
        try {
            PipelineResult result = pipeline.runSingle(candidateSpec(fraction), inputs,
                    workspace.candidateDir(fraction), share, modelDigest, false);
            return new Candidate(fraction, ReportJson.read(result.reportJson()), null);
        } catch (JobFailedException e) {
            if (!BudgetUnreachableException.CODE.equals(e.code())) {
                throw e;
            }
            workspace.finish(verdict, (System.nanoTime() - start) / 1_000_000, new Unreachable(e.getMessage()));
            return new Candidate(fraction, null, e.getMessage());
        }
    }

    /**
     * The single-model spec of one candidate: pruned to {@code fraction}, fine-tuned within the sweep's training
     * budget (the normalized sweep spec already carries it as {@code fineTune.maxTrainFlops}).
     */
    private JobSpec candidateSpec(double fraction) {
        return new JobSpec(spec.modelId(), JobSpec.BudgetSpec.ofFraction(fraction), null, spec.pruning(),
                spec.input(), spec.calibration(), spec.fineTune(), spec.evaluation(), null, Map.of(), null, null,
                spec.benchmark()).normalized();
    }

    /** Highest top-1; on a tie, fewer MACs; on a tie of both, the larger fraction (the earlier in the sweep). */
    private static Candidate mostAccurate(List<Candidate> candidates) {
        Candidate best = null;
        for (Candidate c : candidates) {
            if (c.report() == null) {
                continue;
            }
            if (best == null || compareTop1(c.top1(), best.top1()) > 0
                    || compareTop1(c.top1(), best.top1()) == 0 && c.macs() < best.macs()) {
                best = c;
            }
        }
        return best;
    }

    /** A missing accuracy (no evaluation sample) loses to any figure. */
    private static int compareTop1(Double a, Double b) {
        return Double.compare(a == null ? Double.NEGATIVE_INFINITY : a, b == null ? Double.NEGATIVE_INFINITY : b);
    }

    /**
     * The winner's report with the sweep's spec and frontier; its latency and BENCHMARK timing come from the
     * publishing run, its other stage timings from the candidate's own run.
     */
    private JobReport sweepReport(Candidate winner, JobReport measured, List<Candidate> candidates) {
        List<JobReport.SweepCandidate> frontier = new ArrayList<>();
        for (Candidate c : candidates) {
            frontier.add(figures(c, c == winner));
        }
        List<JobReport.StageTiming> stages = new ArrayList<>();
        for (JobReport.StageTiming t : winner.report().stages()) {
            stages.add(t.stage().equals(Stage.BENCHMARK.name()) ? measured.stages().stream()
                    .filter(m -> m.stage().equals(t.stage())).findFirst().orElse(t) : t);
        }
        return new JobReport(JobReport.FORMAT_VERSION, measured.versions(), ReportJson.toTree(spec),
                measured.model(), measured.compute(), measured.head(), measured.recalibration(),
                measured.fineTuning(), measured.accuracy(), measured.export(), measured.latency(),
                new JobReport.Sweep(spec.budget().trainFlops(), frontier), List.copyOf(stages), measured.job());
    }

    private static JobReport.SweepCandidate figures(Candidate c, boolean chosen) {
        if (c.report() == null) {
            return new JobReport.SweepCandidate(c.fraction(), false, null, null, null, null, null, null, null, null,
                    null, false, c.unreachable());
        }
        var pruned = c.report().compute().pruned();
        JobReport.FineTuning tuning = c.report().fineTuning();
        JobReport.Evaluation tuned = c.report().accuracy().fineTuned();
        long samples = tuning.epochs().stream().mapToLong(JobReport.Epoch::samples).sum();
        return new JobReport.SweepCandidate(c.fraction(), true, pruned.macs(), pruned.flops(), pruned.params(),
                tuning.trainFlops(), samples, tuning.epochs().size(), tuned.top1(), tuned.top5(), tuned.meanLoss(),
                chosen, null);
    }

    /** A candidate's progress in [0, 1] as its slice of the sweep's. */
    private record ShareOfProgress(PipelineListener sweep, double first, double span) implements PipelineListener {
        @Override
        public void enterStage(Stage stage) {
            sweep.enterStage(stage);
        }

        @Override
        public void progress(double fraction) {
            sweep.progress(first + span * fraction);
        }
    }
}
