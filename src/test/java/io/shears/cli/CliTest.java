package io.shears.cli;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.files.Sha256;
import io.shears.onnx.ModelMetadata;
import io.shears.pipeline.ModelLineage;
import io.shears.pruning.OptionNames;
import io.shears.pruning.PruningOptions;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as a pipeline sees it: exit codes, one-line errors, JSON on stdout, files on disk. */
class CliTest {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int OPSET = 13;
    private static final long[] INPUT_SHAPE = TestGraphs.inputShape(1);

    @TempDir
    Path dir;

    private Path model;

    /** What one run of the command line did. */
    record Run(int exitCode, String out, String err) {
        JsonNode json() {
            return JSON.readTree(out);
        }
    }

    @BeforeEach
    void writeModel() throws IOException {
        model = write("resnet.onnx", TestGraphs.resnetBasicBlocks().buildBytes(OPSET));
    }

    // ------------------------------------------------------------------ inspect

    @Test
    void engineStartsPyTorchAndPrintsItsBuild() {
        Run run = shears("engine");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
        JsonNode info = run.json();
        assertThat(info.path("engine").asString()).isEqualTo("PyTorch");
        assertThat(info.path("nativeBuild").path("flavor").asString()).isEqualTo("cpu");
        assertThat(info.path("intraopThreads").asInt()).isPositive();
    }

    @Test
    void inspectPrintsTheCostReportAndTheGroupsAsJson() {
        Run run = shears("inspect", model.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.err()).isEmpty();
        JsonNode report = run.json();
        long macs = report.path("totals").path("macs").asLong();
        assertThat(macs).isPositive();
        assertThat(report.path("totals").path("flops").asLong()).isEqualTo(2 * macs);
        assertThat(report.path("totals").path("params").asLong()).isPositive();

        JsonNode layers = report.path("layers");
        assertThat(layers.isArray()).isTrue();
        assertThat(layers.size()).isPositive();
        long layerMacs = 0;
        for (JsonNode layer : layers) {
            assertThat(layer.path("node").asString()).isNotEmpty();
            layerMacs += layer.path("macs").asLong();
        }
        assertThat(layerMacs).as("per-layer MACs add up to the total").isEqualTo(macs);

        assertThat(report.path("prunableGroups").isArray()).isTrue();
        assertThat(report.path("prunableGroups").size()).isPositive();
        assertThat(report.path("frozenGroups").isArray()).isTrue();
        assertThat(report.path("frozenGroups").size()).as("the residual stream is frozen in scope filters")
                .isPositive();
        for (JsonNode frozen : report.path("frozenGroups")) {
            assertThat(frozen.path("frozenReasons").size()).as("a frozen group says why").isPositive();
        }
        assertThat(report.path("inputs").get(0).path("shape").toString()).isEqualTo("[1,3,16,16]");
    }

    @Test
    void inspectWithScopeChannelsFreezesLessThanScopeFilters() {
        JsonNode filters = shears("inspect", model.toString()).json();
        JsonNode channels = shears("inspect", model.toString(), "--scope", "channels").json();

        assertThat(channels.path("scope").asString()).isEqualTo("channels");
        assertThat(channels.path("prunableGroups").size()).isGreaterThan(filters.path("prunableGroups").size());
        assertThat(channels.path("totals")).isEqualTo(filters.path("totals"));
    }

    /** The ResNeXt fixture's 4 groups of 8 to 16: a channel is 4 positions within groups, a group of 8+ whole. */
    @Test
    void inspectShowsGroupedConvolutionGroupsAsTheOptionSays() {
        String resnext = "src/test/resources/models/grouped/resnext-op17-bnfold.onnx";
        JsonNode within = shears("inspect", resnext).json();
        JsonNode whole = shears("inspect", resnext, "--grouped-convolutions", "whole-groups").json();

        assertThat(unitWidths(within)).contains(4).doesNotContain(8);
        assertThat(unitWidths(whole)).contains(8, 12, 16).doesNotContain(4);
    }

    private static List<Integer> unitWidths(JsonNode inspection) {
        List<Integer> out = new ArrayList<>();
        inspection.path("prunableGroups").forEach(g -> out.add(g.path("unitWidth").asInt()));
        return out;
    }

    // ------------------------------------------------------------------ prune: the three budgets

    @Test
    void pruneToAFractionWritesAModelThatOnnxRuntimeRunsAndAReportWithinTheTarget() throws IOException {
        Path out = dir.resolve("pruned.onnx");
        Path reportFile = dir.resolve("report.json");

        Run run = shears("prune", model.toString(), "-o", out.toString(), "--target-fraction", "0.5",
                "--round-to", "1", "--report", reportFile.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).startsWith("pruned ").contains("MACs");
        JsonNode report = JSON.readTree(Files.readString(reportFile));
        long original = report.path("original").path("macs").asLong();
        long target = report.path("target").path("macs").asLong();
        long pruned = report.path("pruned").path("macs").asLong();
        assertThat(target).isEqualTo((long) Math.floor(original * 0.5));
        assertThat(pruned).isLessThanOrEqualTo(target).isPositive();
        assertThat(report.path("pruned").path("flops").asLong()).isEqualTo(2 * pruned);
        assertThat(report.path("timings").path("totalMs").isNumber()).isTrue();
        assertRunsLikeTheOriginal(out);
        ModelProto written = ModelProto.parseFrom(Files.readAllBytes(out));
        assertThat(written.getProducerName()).isEqualTo(ModelLineage.PRODUCER);
        assertThat(ModelMetadata.properties(written))
                .containsEntry(ModelLineage.SOURCE_SHA256, Sha256.of(model))
                .containsEntry(ModelLineage.SOURCE_NAME, model.getFileName().toString())
                .containsEntry(ModelLineage.BUDGET, "fraction=0.5")
                .containsEntry(ModelLineage.SCOPE, report.path("scope").asString())
                .containsEntry(ModelLineage.MACS, Long.toString(pruned))
                .doesNotContainKeys(ModelLineage.JOB_ID, ModelLineage.TOP1);
    }

    @Test
    void pruneToAbsoluteMacs() throws IOException {
        long original = originalMacs();
        long budget = original * 6 / 10;
        JsonNode report = prune("--target-macs", Long.toString(budget), "--round-to", "1");

        assertThat(report.path("target").path("macs").asLong()).isEqualTo(budget);
        assertThat(report.path("pruned").path("macs").asLong()).isLessThanOrEqualTo(budget);
        assertThat(report.path("target").path("budget").asString()).isEqualTo("macs=" + budget);
        assertRunsLikeTheOriginal(dir.resolve("pruned.onnx"));
    }

    @Test
    void pruneToAbsoluteFlopsCountsTwoFlopsPerMac() throws IOException {
        long original = originalMacs();
        long flops = 2 * original * 6 / 10 + 1;
        JsonNode report = prune("--target-flops", Long.toString(flops), "--round-to", "1");

        assertThat(report.path("target").path("macs").asLong()).isEqualTo(flops / 2);
        assertThat(report.path("target").path("flops").asLong()).isEqualTo(2 * (flops / 2));
        assertThat(report.path("pruned").path("macs").asLong()).isLessThanOrEqualTo(flops / 2);
        assertThat(report.path("pruned").path("flops").asLong()).isLessThanOrEqualTo(flops);
        assertRunsLikeTheOriginal(dir.resolve("pruned.onnx"));
    }

    @ParameterizedTest
    @MethodSource("optionCombinations")
    void everyCriterionAllocationAndScopeGivesARunnableModelWithinTheBudget(List<String> options) throws IOException {
        List<String> args = new ArrayList<>(List.of("--target-fraction", "0.7"));
        args.addAll(options);
        JsonNode report = prune(args.toArray(String[]::new));

        assertThat(report.path("pruned").path("macs").asLong())
                .isLessThanOrEqualTo(report.path("target").path("macs").asLong());
        assertRunsLikeTheOriginal(dir.resolve("pruned.onnx"));
    }

    static Stream<List<String>> optionCombinations() {
        return Stream.of(
                List.of("--criterion", "l2", "--round-to", "1"),
                List.of("--criterion", "bn-scale", "--round-to", "1"),
                List.of("--criterion", "random", "--seed", "7", "--round-to", "1"),
                List.of("--allocation", "global", "--round-to", "1"),
                List.of("--scope", "channels", "--round-to", "4", "--min-channels", "4"));
    }

    /** Whole groups lower a grouped convolution's group count; within groups (the default) keeps it. */
    @ParameterizedTest
    @CsvSource({"within-groups, 2", "whole-groups, 1"})
    void groupedConvolutionsAreCutTheWayTheOptionSays(String mode, long groupsLeft) throws IOException {
        model = write("grouped.onnx", TestGraphs.groupedConv().buildBytes(OPSET));
        List<String> args = new ArrayList<>(List.of("--target-fraction", "0.6", "--round-to", "1"));
        if (mode.equals("whole-groups")) {
            args.addAll(List.of("--grouped-convolutions", mode));
        }
        JsonNode report = prune(args.toArray(String[]::new));

        assertThat(report.path("groupedConvolutions").asString()).isEqualTo(mode);
        assertThat(report.path("pruned").path("macs").asLong())
                .isLessThanOrEqualTo(report.path("target").path("macs").asLong());
        ai.onnx.proto.OnnxMl.ModelProto pruned = new io.shears.onnx.ModelReader().read(dir.resolve("pruned.onnx"));
        assertThat(pruned.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv"))
                .flatMap(n -> n.getAttributeList().stream()).filter(a -> a.getName().equals("group"))
                .mapToLong(ai.onnx.proto.OnnxMl.AttributeProto::getI).max().orElse(1)).isEqualTo(groupsLeft);
        assertRunsLikeTheOriginal(dir.resolve("pruned.onnx"));
    }

    @Test
    void anExcludedNodeKeepsItsChannels() throws IOException {
        String excluded = firstPrunableMember();
        JsonNode report = prune("--target-fraction", "0.7", "--round-to", "1", "--exclude", excluded);

        assertThat(report.path("exclude").toString()).isEqualTo("[\"" + excluded + "\"]");
        boolean frozenByRequest = false;
        for (JsonNode group : report.path("frozenGroups")) {
            if (group.path("name").asString().equals(excluded)) {
                frozenByRequest |= group.path("frozenReasons").toString().contains("excluded");
                assertThat(group.path("kept").asInt()).isEqualTo(group.path("channels").asInt());
            }
        }
        assertThat(frozenByRequest).as("the group of " + excluded + " is frozen by request").isTrue();
    }

    // ------------------------------------------------------------------ determinism

    @Test
    void pruningTwiceWithTheSameOptionsGivesTheSameBytes() throws IOException {
        for (String criterion : List.of("l1", "random")) {
            Path first = dir.resolve(criterion + "-first.onnx");
            Path second = dir.resolve(criterion + "-second.onnx");
            String[] options = {"--target-fraction", "0.5", "--round-to", "1", "--criterion", criterion, "--seed", "3"};
            assertThat(shears(concat(new String[] {"prune", model.toString(), "-o", first.toString()}, options))
                    .exitCode()).isZero();
            assertThat(shears(concat(new String[] {"prune", model.toString(), "-o", second.toString()}, options))
                    .exitCode()).isZero();

            assertThat(Files.readAllBytes(second)).as(criterion).isEqualTo(Files.readAllBytes(first));
        }
    }

    // ------------------------------------------------------------------ serve

    @Test
    void serveHandsUnknownOptionsToSpringUnchanged() {
        ServeCommand serve = new ServeCommand();
        new picocli.CommandLine(serve).parseArgs("--server.port=9090", "--shears.role=api");

        assertThat(serve.springArguments).containsExactly("--server.port=9090", "--shears.role=api");
    }

    @Test
    void serveOnAPortInUseEndsWithOneLineNamingTheCause() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            Run run = shears("serve", "--server.port=" + taken.getLocalPort(), "--shears.data-dir=" + dir.resolve("data"),
                    "--shears.role=api", "--spring.main.banner-mode=off");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.INTERNAL_ERROR);
            assertOneErrorLine(run);
            assertThat(run.err()).startsWith("error: STARTUP: the service did not start: ")
                    .containsIgnoringCase("in use");
        }
    }

    // ------------------------------------------------------------------ exit 2: usage

    @ParameterizedTest(name = "{0}")
    @MethodSource("usageErrors")
    void usageErrorsExitWithTwoAndOneLine(String why, List<String> args, String mentioned) {
        List<String> full = new ArrayList<>(List.of("prune", model.toString(), "-o", dir.resolve("out.onnx").toString()));
        full.addAll(args);
        Run run = shears(full.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.USAGE);
        assertOneErrorLine(run);
        assertThat(run.err()).contains(mentioned);
        assertThat(run.out()).isEmpty();
        assertThat(dir.resolve("out.onnx")).doesNotExist();
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of("no budget flag", List.of(), "--target-"),
                Arguments.of("two budget flags", List.of("--target-macs", "1000", "--target-fraction", "0.5"),
                        "mutually exclusive"),
                Arguments.of("unknown scope", List.of("--target-fraction", "0.5", "--scope", "everything"),
                        "'everything'"),
                Arguments.of("unknown criterion", List.of("--target-fraction", "0.5", "--criterion", "l7"), "'l7'"),
                Arguments.of("unknown allocation", List.of("--target-fraction", "0.5", "--allocation", "greedy"),
                        "'greedy'"),
                Arguments.of("unknown grouped-convolution mode",
                        List.of("--target-fraction", "0.5", "--grouped-convolutions", "some-groups"), "'some-groups'"),
                Arguments.of("fraction above 1", List.of("--target-fraction", "1.5"), "1.5"),
                Arguments.of("fraction of 0", List.of("--target-fraction", "0"), "fraction"),
                Arguments.of("negative MACs", List.of("--target-macs", "-5"), "-5"),
                Arguments.of("fraction not a number", List.of("--target-fraction", "half"), "'half'"),
                Arguments.of("round-to 0", List.of("--target-fraction", "0.5", "--round-to", "0"), "round-to"),
                Arguments.of("min-channels 0", List.of("--target-fraction", "0.5", "--min-channels", "0"),
                        "min-channels"),
                Arguments.of("exclude of a missing node", List.of("--target-fraction", "0.5", "--exclude", "conv99"),
                        "'conv99'"),
                Arguments.of("malformed input shape", List.of("--target-fraction", "0.5", "--input-shape", "1x3xAx16"),
                        "1x3xAx16"),
                Arguments.of("unknown option", List.of("--target-fraction", "0.5", "--frobnicate"), "--frobnicate"));
    }

    @Test
    void aMissingModelFileIsAUsageError() {
        Path missing = dir.resolve("nope.onnx");
        for (Run run : List.of(
                shears("prune", missing.toString(), "-o", dir.resolve("out.onnx").toString(), "--target-fraction", "0.5"),
                shears("inspect", missing.toString()))) {
            assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.USAGE);
            assertOneErrorLine(run);
            assertThat(run.err()).contains("nope.onnx").contains("does not exist");
        }
    }

    @Test
    void missingSubcommandOrModelOrOutputIsAUsageError() {
        for (String[] args : List.of(new String[0], new String[] {"bogus"}, new String[] {"prune"},
                new String[] {"inspect"}, new String[] {"prune", model.toString(), "--target-fraction", "0.5"})) {
            Run run = shears(args);
            assertThat(run.exitCode()).as(Arrays.toString(args) + ": " + run.err()).isEqualTo(ExitCodes.USAGE);
            assertOneErrorLine(run);
            assertThat(run.err()).startsWith("error: USAGE: ");
        }
    }

    @Test
    void helpAndVersionExitWithZero() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"--version"},
                new String[] {"prune", "--help"}, new String[] {"inspect", "--help"})) {
            Run run = shears(args);
            assertThat(run.exitCode()).as(Arrays.toString(args)).isZero();
            assertThat(run.out()).isNotEmpty();
            assertThat(run.err()).isEmpty();
        }
        assertThat(shears("prune", "--help").out()).contains("--target-macs", "--target-flops",
                "--target-fraction", "--scope", "--criterion", "--allocation", "--round-to", "--min-channels",
                "--exclude", "--input-shape", "--seed", "--report");
    }

    /** The command line's pruning defaults are the library's, in the report and in the help. */
    @Test
    void pruneWithoutOptionsUsesTheLibrarysDefaults() throws IOException {
        PruningOptions defaults = PruningOptions.defaults();
        JsonNode report = prune("--target-fraction", "1.0");
        assertThat(report.path("scope").asString()).isEqualTo(OptionNames.label(defaults.scope()));
        assertThat(report.path("criterion").asString()).isEqualTo(OptionNames.label(defaults.criterion()));
        assertThat(report.path("allocation").asString()).isEqualTo(OptionNames.label(defaults.allocation()));
        assertThat(report.path("groupedConvolutions").asString())
                .isEqualTo(OptionNames.label(defaults.groupedConvolutions()));
        assertThat(report.path("attentionUnit").asString()).isEqualTo(OptionNames.label(defaults.attentionUnit()));
        assertThat(report.path("roundTo").asInt()).isEqualTo(defaults.roundTo());
        assertThat(report.path("minChannels").asInt()).isEqualTo(defaults.minChannels());
        assertThat(report.path("maxFraction").asDouble()).isEqualTo(defaults.maxFraction());
        assertThat(report.path("seed").asLong()).isEqualTo(defaults.seed());
        String help = shears("prune", "--help").out().replaceAll("\\s+", " ");
        assertThat(help).contains("multiples of N (default " + defaults.roundTo() + ")",
                "or channels (default " + OptionNames.label(defaults.scope()) + ")");
        assertThat(shears("inspect", "--help").out().replaceAll("\\s+", " "))
                .contains("(default " + OptionNames.label(defaults.groupedConvolutions()) + ")");
    }

    // ------------------------------------------------------------------ exit 3: invalid or unsupported model

    @Test
    void randomBytesAreNotAModel() throws IOException {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        assertInvalidModel(write("noise.onnx", noise), "MODEL_UNPARSEABLE");
    }

    @Test
    void anEmptyFileIsNotAModel() throws IOException {
        assertInvalidModel(write("empty.onnx", new byte[0]), "MODEL_UNPARSEABLE");
    }

    @Test
    void aGraphWithACycleIsRefused() throws IOException {
        ModelProto good = TestGraphs.resnetBasicBlocks().build(OPSET);
        var graph = good.getGraph().toBuilder();
        String last = graph.getNode(graph.getNodeCount() - 1).getOutput(0);
        NodeProto first = graph.getNode(0);
        graph.setNode(0, first.toBuilder().setInput(0, last));
        Path cyclic = write("cycle.onnx", good.toBuilder().setGraph(graph).build().toByteArray());

        assertInvalidModel(cyclic, "GRAPH_CYCLE");
    }

    @Test
    void aNodeReadingATensorNothingProducesIsRefused() throws IOException {
        ModelProto good = TestGraphs.resnetBasicBlocks().build(OPSET);
        var graph = good.getGraph().toBuilder();
        graph.setNode(1, graph.getNode(1).toBuilder().setInput(0, "nowhere"));
        Path dangling = write("dangling.onnx", good.toBuilder().setGraph(graph).build().toByteArray());

        assertInvalidModel(dangling, "DANGLING_INPUT");
        Run run = shears("inspect", dangling.toString());
        assertThat(run.err()).contains("'nowhere'");
    }

    @Test
    void dynamicSpatialDimsNeedAnInputShapeAndWorkWithOne() throws IOException {
        Path dynamic = write("dynamic.onnx", withDynamicSpatialDims(TestGraphs.resnetBasicBlocks().build(OPSET))
                .toByteArray());
        assertInvalidModel(dynamic, "INPUT_SHAPE_REQUIRED");

        Run inspect = shears("inspect", dynamic.toString(), "--input-shape", "1x3x16x16");
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        JsonNode staticTotals = shears("inspect", model.toString()).json().path("totals");
        assertThat(inspect.json().path("totals").path("macs")).isEqualTo(staticTotals.path("macs"));
        assertThat(inspect.json().path("totals").path("params")).isEqualTo(staticTotals.path("params"));

        Path out = dir.resolve("pruned.onnx");
        Run prune = shears("prune", dynamic.toString(), "-o", out.toString(), "--target-fraction", "0.5",
                "--round-to", "1", "--input-shape", "1x3x16x16");
        assertThat(prune.exitCode()).as(prune.err()).isZero();
        assertRunsLikeTheOriginal(out);
    }

    @Test
    void anInputShapeOfTheWrongRankIsRefused() {
        Run run = shears("inspect", model.toString(), "--input-shape", "1x3x16");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.INVALID_MODEL);
        assertOneErrorLine(run);
        assertThat(run.err()).startsWith("error: INPUT_SHAPE_MISMATCH: ");
    }

    // ------------------------------------------------------------------ exit 4: budget unreachable

    @Test
    void anUnreachableBudgetExitsWithFourAndNamesTheSmallestReachableMacs() throws IOException {
        long smallest = prune("--target-fraction", "0.9").path("smallestReachableMacs").asLong();
        assertThat(smallest).isPositive();

        Path out = dir.resolve("tiny.onnx");
        Run run = shears("prune", model.toString(), "-o", out.toString(), "--target-macs", "1");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.BUDGET_UNREACHABLE);
        assertOneErrorLine(run);
        assertThat(run.err()).startsWith("error: BUDGET_UNREACHABLE: ");
        Matcher m = Pattern.compile("smallest reachable model has (\\d+) MACs").matcher(run.err());
        assertThat(m.find()).as(run.err()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isEqualTo(smallest);
        assertThat(out).doesNotExist();
    }

    @Test
    void anUnreachableBudgetNamesWhatFreezesTheMostMacsAndWhatTheOtherScopeWouldReach() {
        Run filters = shears("prune", model.toString(), "-o", dir.resolve("f.onnx").toString(), "--target-macs", "1");
        Run channels = shears("prune", model.toString(), "-o", dir.resolve("c.onnx").toString(), "--target-macs", "1",
                "--scope", "channels");

        assertOneErrorLine(filters);
        assertOneErrorLine(channels);
        assertThat(filters.err()).contains("; most MACs frozen by: \"")
                .contains("\"residual Add keeps the representation's width (scope filters)\" (2 groups, 0.");
        assertThat(channels.err()).doesNotContain("(scope filters)");
        Pattern reach = Pattern.compile("smallest reachable model has \\d+ MACs \\((\\d\\.\\d{4}) of the original");
        Matcher inChannels = reach.matcher(channels.err());
        Matcher inFilters = reach.matcher(filters.err());
        assertThat(inChannels.find() && inFilters.find()).as(filters.err() + channels.err()).isTrue();
        assertThat(filters.err()).endsWith("; scope channels would reach " + inChannels.group(1)
                + " of the original MACs" + System.lineSeparator());
        assertThat(channels.err()).endsWith("; scope filters would reach " + inFilters.group(1)
                + " of the original MACs" + System.lineSeparator());
    }

    // ------------------------------------------------------------------ helpers

    private Run shears(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ShearsCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    private JsonNode prune(String... options) throws IOException {
        Path out = dir.resolve("pruned.onnx");
        Path reportFile = dir.resolve("report.json");
        Run run = shears(concat(new String[] {"prune", model.toString(), "-o", out.toString(), "--report",
                reportFile.toString()}, options));
        assertThat(run.exitCode()).as(Arrays.toString(options) + ": " + run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.err()).isEmpty();
        return JSON.readTree(Files.readString(reportFile));
    }

    private long originalMacs() {
        return shears("inspect", model.toString()).json().path("totals").path("macs").asLong();
    }

    /** A group is named after the node that produces its channels. */
    private String firstPrunableMember() {
        return shears("inspect", model.toString()).json().path("prunableGroups").get(0).path("name").asString();
    }

    private void assertRunsLikeTheOriginal(Path pruned) throws IOException {
        float[] input = OrtRunner.randomInput(1, INPUT_SHAPE);
        long[] expected = OrtRunner.outputShape(Files.readAllBytes(model), input, INPUT_SHAPE);
        OrtRunner.Output output = OrtRunner.runAll(Files.readAllBytes(pruned), input, INPUT_SHAPE)
                .values().iterator().next();
        assertThat(output.shape()).isEqualTo(expected);
        for (float v : output.values()) {
            assertThat(Float.isFinite(v)).isTrue();
        }
    }

    private void assertInvalidModel(Path bad, String code) {
        for (Run run : List.of(
                shears("prune", bad.toString(), "-o", dir.resolve("out.onnx").toString(), "--target-fraction", "0.5"),
                shears("inspect", bad.toString()))) {
            assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.INVALID_MODEL);
            assertOneErrorLine(run);
            assertThat(run.err()).startsWith("error: " + code + ": ");
            assertThat(run.out()).isEmpty();
        }
        assertThat(dir.resolve("out.onnx")).doesNotExist();
    }

    private static void assertOneErrorLine(Run run) {
        assertThat(run.err()).startsWith("error: ").endsWith(System.lineSeparator());
        assertThat(run.err().lines().count()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).matches("error: [A-Z_]+: \\S.*\\R")
                .doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static ModelProto withDynamicSpatialDims(ModelProto model) {
        var graph = model.getGraph().toBuilder();
        ValueInfoProto input = graph.getInput(0);
        var type = input.getType().toBuilder();
        TensorShapeProto.Builder shape = type.getTensorTypeBuilder().getShapeBuilder();
        shape.setDim(2, TensorShapeProto.Dimension.newBuilder().setDimParam("height"));
        shape.setDim(3, TensorShapeProto.Dimension.newBuilder().setDimParam("width"));
        graph.setInput(0, input.toBuilder().setType(type));
        // Declared intermediate shapes would pin the spatial size; the exporters that write dynamic inputs omit them.
        graph.clearValueInfo();
        return model.toBuilder().setGraph(graph).build();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
