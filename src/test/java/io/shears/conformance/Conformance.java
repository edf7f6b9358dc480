package io.shears.conformance;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.conformance.Fixtures.Fixture;
import io.shears.graph.CostModel;
import io.shears.graph.CostReport;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;
import io.shears.pruning.Budget;
import io.shears.pruning.BudgetUnreachableException;
import io.shears.pruning.Pruner;
import io.shears.pruning.PruningOptions;
import io.shears.pruning.PruningReport;
import io.shears.pruning.PruningResult;
import io.shears.pruning.Scope;
import io.shears.testing.OrtRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks that make one (fixture, budget, scope) case conform to what DESIGN.md says a published model must
 * satisfy. Shared by {@link ConformanceTest} (which asserts) and {@link CoverageReport} (which tabulates), so the
 * table shows exactly what the tests prove.
 */
public final class Conformance {
    /** Target fractions of the original MACs. */
    public static final double[] FRACTIONS = {0.75, 0.5, 0.25};
    /** Batch sizes the pruned model must run at: the declared one and a larger one. */
    static final long[] BATCHES = {1, 8};
    /** DESIGN.md: "within 2% of it unless the budget cannot be reached". */
    static final double MIN_OF_TARGET = 0.98;

    /** What happened to one case; every field was checked before the outcome is returned. */
    public sealed interface Outcome permits Ok, Unreachable {
    }

    /** Pruned to the budget. */
    public record Ok(PruningReport report) implements Outcome {
    }

    /** The budget is below the smallest model the options allow; {@code smallest} is the run at that figure. */
    public record Unreachable(long targetMacs, long smallestReachableMacs, long originalMacs, PruningReport smallest)
            implements Outcome {
        public double smallestFraction() {
            return smallestReachableMacs / (double) originalMacs;
        }
    }

    private Conformance() {
    }

    public static PruningOptions options(Scope scope) {
        return PruningOptions.defaults().withScope(scope);
    }

    /** Prunes {@code fixture} to {@code fraction} of its MACs in {@code scope} and checks the result; throws on failure. */
    public static Outcome check(Fixture fixture, double fraction, Scope scope) {
        return check(fixture, fraction, options(scope));
    }

    /** The same with any options. */
    public static Outcome check(Fixture fixture, double fraction, PruningOptions options) {
        ModelProto model = fixture.model();
        Scope scope = options.scope();
        long originalMacs = recount(model).macs();
        long targetMacs = (long) Math.floor(originalMacs * fraction);
        PruningResult result;
        try {
            result = Pruner.prune(model, new Budget.Fraction(fraction), options);
        } catch (BudgetUnreachableException e) {
            return checkUnreachable(fixture, options, originalMacs, targetMacs, e);
        }
        PruningReport report = result.report();
        String what = fixture.name() + " " + scope + " " + options.groupedConvolutions().label() + " at " + fraction;
        assertThat(report.original().macs()).as(what + ": original MACs in the report").isEqualTo(originalMacs);
        assertThat(report.target().macs()).as(what + ": target MACs").isEqualTo(targetMacs);
        assertThat(report.pruned().macs()).as(what + ": pruned MACs at or under the target").isLessThanOrEqualTo(targetMacs);
        if (report.pruned().macs() < Math.ceil(MIN_OF_TARGET * targetMacs)) {
            assertThat(io.shears.pruning.BudgetProbe.anyStepFits(model, options, targetMacs))
                    .as(what + ": under 98% of the target (" + report.pruned().macs() + " of " + targetMacs
                            + " MACs) only when no group can keep one more allowed step within the budget")
                    .isFalse();
        }
        assertThat(report.ofTarget()).as(what + ": ofTarget").isCloseTo(report.pruned().macs() / (double) targetMacs,
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(report.achievedFraction()).as(what + ": achievedFraction")
                .isCloseTo(report.pruned().macs() / (double) originalMacs, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(report.pruned().params()).as(what + ": parameters went down").isLessThan(report.original().params());
        checkPublishable(fixture, result, what);
        byte[] again = ModelWriter.toBytes(Pruner.prune(model, new Budget.Fraction(fraction), options).model());
        assertThat(again).as(what + ": same input and spec give the same bytes")
                .isEqualTo(ModelWriter.toBytes(result.model()));
        return new Ok(report);
    }

    private static Unreachable checkUnreachable(Fixture fixture, PruningOptions options, long originalMacs,
                                                long targetMacs, BudgetUnreachableException e) {
        String what = fixture.name() + " " + options.scope() + " at " + targetMacs + " MACs";
        assertThat(e.targetMacs()).as(what + ": target in the exception").isEqualTo(targetMacs);
        assertThat(e.smallestReachableMacs()).as(what + ": the smallest reachable figure is above the target")
                .isGreaterThan(targetMacs).isLessThanOrEqualTo(originalMacs);
        PruningResult smallest = Pruner.prune(fixture.model(), new Budget.Macs(e.smallestReachableMacs()), options);
        assertThat(smallest.report().pruned().macs()).as(what + ": pruning to exactly the smallest reachable figure")
                .isEqualTo(e.smallestReachableMacs());
        assertThat(smallest.report().smallestReachableMacs()).isEqualTo(e.smallestReachableMacs());
        checkPublishable(fixture, smallest, what + " (smallest reachable)");
        return new Unreachable(targetMacs, e.smallestReachableMacs(), originalMacs, smallest.report());
    }

    /**
     * The pruned model, as bytes, loads and runs in ONNX Runtime at every batch size with finite outputs of the
     * original output shape; its MACs and parameters, recounted from a re-read file and from the shapes ONNX Runtime
     * produces, are those of the report.
     */
    static void checkPublishable(Fixture fixture, PruningResult result, String what) {
        byte[] bytes = ModelWriter.toBytes(result.model());
        for (long batch : BATCHES) {
            long[] shape = fixture.inputShape(batch);
            Map<String, OrtRunner.Output> outputs = OrtRunner.runAll(bytes, OrtRunner.randomInput(batch, shape), shape);
            assertThat(outputs).as(what + ": one output").hasSize(1);
            OrtRunner.Output out = outputs.values().iterator().next();
            assertThat(out.shape()).as(what + ": output shape at batch " + batch).containsExactly(fixture.outputShape(batch));
            for (int i = 0; i < out.values().length; i++) {
                if (!Float.isFinite(out.values()[i])) {
                    throw new AssertionError(what + ": output " + i + " at batch " + batch + " is " + out.values()[i]);
                }
            }
        }
        CostReport reread = recount(reread(result.model()));
        assertThat(reread.macs()).as(what + ": MACs recounted on the re-read file").isEqualTo(result.report().pruned().macs());
        assertThat(reread.params()).as(what + ": params recounted on the re-read file").isEqualTo(result.report().pruned().params());
        long[] shape = fixture.inputShape(1);
        assertThat(ObservedMacs.count(result.model(), OrtRunner.randomInput(3, shape), shape))
                .as(what + ": MACs from the shapes ONNX Runtime produces").isEqualTo(result.report().pruned().macs());
    }

    /** Cost by static shape inference at the declared input shape (dynamic batch = 1). */
    static CostReport recount(ModelProto model) {
        Graph graph = new Graph(model);
        return CostModel.analyze(graph, ShapeInference.infer(graph, Map.of()));
    }

    /** Writes the model to a temporary file and reads it back, as a client of the service would. */
    static ModelProto reread(ModelProto model) {
        try {
            Path dir = Files.createTempDirectory("shears-conformance");
            Path file = dir.resolve("pruned.onnx");
            try {
                ModelWriter.write(model, file);
                return new ModelReader().read(file);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
