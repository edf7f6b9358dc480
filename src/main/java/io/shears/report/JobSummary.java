package io.shears.report;

/**
 * The few figures a job status shows: compute before and after (FLOPs = 2 × MACs), the final top-1 accuracy when
 * the job evaluated, the ONNX Runtime speed-up at batch 32 when it was measured, and which fraction a sweep chose.
 *
 * @param macsRatio      pruned MACs / original MACs
 * @param chosenFraction for a sweep, the fraction of the candidate it published; null for other jobs
 */
public record JobSummary(long originalMacs, long prunedMacs, long originalFlops, long prunedFlops,
                         long originalParams, long prunedParams, double macsRatio, Double finalTop1,
                         Double speedUpBatch32, Double chosenFraction) {
    public static final int SUMMARY_BATCH = 32;

    public static JobSummary of(JobReport report) {
        var original = report.compute().original();
        var pruned = report.compute().pruned();
        return new JobSummary(original.macs(), pruned.macs(), original.flops(), pruned.flops(), original.params(),
                pruned.params(), report.compute().achievedFraction(), finalTop1(report.accuracy()),
                speedUp(report.latency()), chosenFraction(report.sweep()));
    }

    private static Double chosenFraction(JobReport.Sweep sweep) {
        JobReport.SweepCandidate chosen = sweep == null ? null : sweep.chosen();
        return chosen == null ? null : chosen.fraction();
    }

    /** Top-1 of the last evaluated stage, or null when the job evaluated nothing. */
    public static Double finalTop1(JobReport.Accuracy accuracy) {
        if (accuracy == null) {
            return null;
        }
        for (JobReport.Evaluation e : new JobReport.Evaluation[] {accuracy.fineTuned(), accuracy.recalibrated(),
                accuracy.prunedZeroShot()}) {
            if (e != null) {
                return e.top1();
            }
        }
        return null;
    }

    private static Double speedUp(JobReport.Latency latency) {
        if (latency == null) {
            return null;
        }
        return latency.batches().stream().filter(b -> b.batch() == SUMMARY_BATCH).findFirst()
                .map(JobReport.LatencyComparison::speedUp).orElse(null);
    }
}
