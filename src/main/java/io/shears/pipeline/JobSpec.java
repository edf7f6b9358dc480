package io.shears.pipeline;

import io.shears.data.Preprocessing;
import io.shears.engine.training.BatchNormRecalibration;
import io.shears.engine.training.FineTuneSpec;
import io.shears.graph.ShapeInference;
import io.shears.pruning.Allocation;
import io.shears.pruning.AttentionUnit;
import io.shears.pruning.Budget;
import io.shears.pruning.Criterion;
import io.shears.pruning.GroupedConvolutions;
import io.shears.pruning.HeadReplacement;
import io.shears.pruning.OptionNames;
import io.shears.pruning.PruningOptions;
import io.shears.pruning.Scope;

import jakarta.annotation.Nullable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a client asks a job to do, as posted to {@code POST /v1/jobs}. Every section but {@code modelId} and
 * {@code budget} is optional. The rules for one field are Bean Validation constraints on it, so that the OpenAPI
 * schema shows them; {@link #normalized()} applies those and the rules across fields, naming the bad field, and fills
 * in the defaults, so the stored spec says exactly what ran.
 */
public record JobSpec(@NotNull(message = REQUIRED) @Pattern(regexp = ID, message = NOT_AN_ID) String modelId,
                      @NotNull(message = "is required: one of macs, flops, fraction or trainFlops") @Valid
                      BudgetSpec budget, @Nullable @Valid SweepSpec sweep, @Nullable @Valid PruningSpec pruning,
                      @Nullable @Valid InputSpec input, @Nullable @Valid CalibrationSpec calibration,
                      @Nullable @Valid FineTuneSection fineTune, @Nullable @Valid EvaluationSpec evaluation,
                      @Nullable String callbackUrl,
                      @Nullable @Size(max = MAX_LABELS, message = "at most {max} labels") Map<String, String> labels,
                      @Nullable @Valid LimitsSpec limits, @Nullable @Valid OutputSpec output,
                      @Nullable @Valid BenchmarkSpec benchmark) {

    /**
     * A spec without limits of its own (the server's apply), without an output location and without a
     * {@code benchmark} section (the BENCHMARK stage runs with the worker's settings).
     */
    public JobSpec(String modelId, BudgetSpec budget, SweepSpec sweep, PruningSpec pruning, InputSpec input,
                   CalibrationSpec calibration, FineTuneSection fineTune, EvaluationSpec evaluation,
                   String callbackUrl, Map<String, String> labels) {
        this(modelId, budget, sweep, pruning, input, calibration, fineTune, evaluation, callbackUrl, labels, null, null,
                null);
    }

    /**
     * This job's own time limit and attempts, each at most the server's ({@code shears.jobs.max-runtime},
     * {@code shears.jobs.max-attempts}); a larger value, or none, gets the server's. {@code maxRuntime} is an ISO-8601
     * duration ({@code "PT30M"}) or a number of seconds.
     */
    public record LimitsSpec(@Nullable @DurationMin(seconds = 1, message = "must be at least 1 second")
                             @DurationMax(days = MAX_RUNTIME_DAYS, message = "must be at most " + MAX_RUNTIME_DAYS
                                     + " days") Duration maxRuntime,
                             @Nullable @Min(1) @Max(MAX_ATTEMPTS) Integer maxAttempts) {
    }

    /**
     * Exactly one of macs, flops or fraction (the model's compute), or trainFlops: a sweep's fine-tuning compute,
     * which every candidate may spend (3 × forward FLOPs per sample seen).
     */
    public record BudgetSpec(@Nullable @Positive(message = POSITIVE) Long macs,
                             @Nullable @Positive(message = POSITIVE) Long flops,
                             @Nullable @DecimalMin(value = "0", inclusive = false, message = FRACTION)
                             @DecimalMax(value = "1", message = FRACTION) Double fraction,
                             @Nullable @Positive(message = POSITIVE) Long trainFlops) {
        public static BudgetSpec ofFraction(double fraction) {
            return new BudgetSpec(null, null, fraction, null);
        }
    }

    /**
     * Prune to each fraction of the original MACs (1.0 keeps the model whole), fine-tune every candidate within the
     * same {@code budget.trainFlops} and publish the most accurate: the compute-optimal choice for that budget.
     */
    public record SweepSpec(@Nullable
                            @Size(min = 1, max = MAX_SWEEP_FRACTIONS, message = "must have {min}..{max} fractions")
                            List<@NotNull(message = FRACTION) @DecimalMin(value = "0", inclusive = false,
                                    message = FRACTION) @DecimalMax(value = "1", message = FRACTION) Double> fractions) {
    }

    /**
     * {@code groupedConvolutions}: {@code within-groups} (the default) or {@code whole-groups}; {@code attentionUnit}:
     * {@code heads} (the default) or {@code head-width}.
     */
    public record PruningSpec(@Nullable @OptionLabel(Scope.class) String scope,
                              @Nullable @OptionLabel(Criterion.class) String criterion,
                              @Nullable @OptionLabel(Allocation.class) String allocation,
                              @Nullable @Min(1) @Max(4096) Integer roundTo,
                              @Nullable @Min(1) @Max(1 << 20) Integer minChannels,
                              @Nullable List<@NotBlank(message = "must be a node name") String> exclude,
                              @Nullable Long seed,
                              @Nullable @OptionLabel(GroupedConvolutions.class) String groupedConvolutions,
                              @Nullable @OptionLabel(AttentionUnit.class) String attentionUnit) {
    }

    /**
     * The model input's shape (for dynamic dimensions) and how dataset images become that input. Without
     * {@code resize}/{@code crop} the images are resized and centre-cropped to the model's H×W; without
     * {@code channels} they get the model's channel count; mean 0 and std 1 leave values in [0, 1].
     */
    public record InputSpec(@Nullable @Size(min = 1, max = 8, message = "must have {min}..{max} dimensions")
                            List<@NotNull(message = REQUIRED) @Min(1) @Max(1 << 20) Long> shape,
                            @Nullable List<Double> mean, @Nullable List<Double> std,
                            @Nullable @Min(1) @Max(Preprocessing.MAX_SIDE) Integer resize,
                            @Nullable @Size(min = 2, max = 2, message = "must be [height, width]")
                            List<@NotNull(message = REQUIRED) @Min(1) @Max(Preprocessing.MAX_SIDE) Integer> crop,
                            @Nullable @OptionLabel(Preprocessing.Channels.class) String channels) {
    }

    public record CalibrationSpec(@NotNull(message = REQUIRED) @Pattern(regexp = ID, message = NOT_AN_ID)
                                  String datasetId, @Nullable @Min(1) @Max(100_000) Integer batches) {
    }

    /**
     * Stop after {@code epochs}, or at {@code maxTrainFlops} (3 × forward FLOPs per sample seen), whichever first.
     * {@code validationSamples}: the validation figures after each epoch (report and training.csv) come from a
     * seeded sample of this many validation images, the same every epoch (default 1,000; 0 for none); the EVALUATE
     * stage always evaluates on the whole split.
     */
    public record FineTuneSection(@NotNull(message = REQUIRED) @Pattern(regexp = ID, message = NOT_AN_ID)
                                  String datasetId, @Nullable @Min(1) @Max(MAX_EPOCHS) Integer epochs,
                                  @Nullable @Positive(message = POSITIVE) Long maxTrainFlops,
                                  @Nullable @OptionLabel(FineTuneSpec.OptimizerKind.class) String optimizer,
                                  @Nullable @DecimalMin(value = "0", inclusive = false, message = "must be in (0, 10]")
                                  @DecimalMax(value = "10", message = "must be in (0, 10]") Double learningRate,
                                  @Nullable @Min(1) @Max(MAX_BATCH) Integer batchSize,
                                  @Nullable @DecimalMin(value = "0", message = "must be in [0, 1]")
                                  @DecimalMax(value = "1", message = "must be in [0, 1]") Double weightDecay,
                                  @Nullable @OptionLabel(HeadReplacement.Mode.class) String head,
                                  @Nullable @OptionLabel(FineTuneSpec.Freeze.class) String freeze,
                                  @Nullable Long seed,
                                  @Nullable @Min(0) @Max(MAX_VALIDATION_SAMPLES) Integer validationSamples) {
        /** A section without {@code validationSamples}, which then takes its default. */
        public FineTuneSection(String datasetId, Integer epochs, Long maxTrainFlops, String optimizer,
                               Double learningRate, Integer batchSize, Double weightDecay, String head, String freeze,
                               Long seed) {
            this(datasetId, epochs, maxTrainFlops, optimizer, learningRate, batchSize, weightDecay, head, freeze, seed,
                    null);
        }

        /** What happens to the classifier head, read from a normalized section. */
        public HeadReplacement.Mode headMode() {
            return HeadReplacement.Mode.parse(head);
        }
    }

    /**
     * The BENCHMARK stage: ONNX Runtime latency of the original and the pruned model, their runs alternating so that
     * both see the same machine. {@code off: true} skips it. {@code batchSizes} (default the worker's, 1 and 32),
     * {@code maxRuns} (timed runs of each model per batch size, default the worker's {@code shears.jobs.latency-runs})
     * and {@code maxSeconds} (the stage's time, default 20) bound it; a batch size stops early once both medians are
     * known to within 3% (the half-width of their 95% confidence intervals), after at least 5 runs each.
     */
    public record BenchmarkSpec(Boolean off,
                                @Size(min = 1, max = MAX_BENCHMARK_BATCHES, message = "must have {min}..{max} sizes")
                                List<@NotNull(message = REQUIRED) @Min(1) @Max(MAX_BATCH) Integer> batchSizes,
                                @Min(1) @Max(1000) Integer maxRuns, @Min(1) @Max(3600) Integer maxSeconds) {
        /** Whether the stage runs. */
        public boolean enabled() {
            return off == null || !off;
        }
    }

    public record EvaluationSpec(@NotNull(message = REQUIRED) @Pattern(regexp = ID, message = NOT_AN_ID)
                                 String datasetId) {
    }

    /**
     * Where a succeeded job also writes its artifacts (model.onnx, report.json, report.html, training.csv), each as
     * {@code <uri><name>}; a prefix without a trailing '/' gets one. Written with the service's S3 credentials, to the
     * server of {@code shears.import.s3}.
     */
    public record OutputSpec(@NotNull(message = REQUIRED) @Size(max = 1024, message = "at most {max} characters")
                             @Pattern(regexp = S3_PREFIX, message = "must be s3://bucket/ or s3://bucket/prefix/")
                             String uri) {
    }

    /** An S3 bucket name (3..63 lower-case letters, digits, '.' and '-') and a key prefix without spaces. */
    static final String S3_PREFIX = "s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\\s?#]*)?";
    /** Model and dataset ids: what the catalogs hand out, and nothing that could be read as a path. */
    static final String ID = "[A-Za-z0-9_-]{1,64}";
    static final String REQUIRED = "is required";
    static final String NOT_AN_ID = "is not a valid id";
    static final String POSITIVE = "must be positive";
    static final String FRACTION = "must be in (0, 1]";
    static final int MAX_LABELS = 32;
    static final int MAX_RUNTIME_DAYS = 365;
    static final int MAX_ATTEMPTS = 100;
    /**
     * Also the default when only {@code maxTrainFlops} is given. High, so that the budget ends training: a quarter of a
     * model on 1,000 images needs more than 1,000 epochs to spend 1,000 dense forward passes, and a sweep's small
     * candidates must get the whole budget the dense one gets.
     */
    static final int MAX_EPOCHS = 100_000;
    static final int MAX_BATCH = 4096;
    static final int MAX_VALIDATION_SAMPLES = 10_000_000;
    static final int MAX_BENCHMARK_BATCHES = 8;
    /** Keeps the BENCHMARK of a ResNeXt-50-sized model on 2 cores near 20 s; a spec may give more or less. */
    static final int DEFAULT_BENCHMARK_SECONDS = 20;
    static final int DEFAULT_VALIDATION_SAMPLES = 1_000;
    static final int MAX_SWEEP_FRACTIONS = 8;
    static final List<Double> DEFAULT_SWEEP_FRACTIONS = List.of(1.0, 0.75, 0.5, 0.25);

    /** This spec with every field checked and every default filled in. */
    public JobSpec normalized() {
        JobSpecFields.check(this);
        BudgetSpec b = normalizedBudget();
        SweepSpec sw = sweep == null ? null : normalizedSweep();
        PruningSpec p = normalizedPruning(pruning);
        InputSpec in = normalizedInput();
        CalibrationSpec cal = null;
        if (calibration != null) {
            int batches = orDefault(calibration.batches(), BatchNormRecalibration.DEFAULT_BATCHES);
            cal = new CalibrationSpec(calibration.datasetId(), batches);
        }
        FineTuneSection ft = fineTune == null ? null : normalizedFineTune();
        String callback = callbackUrl == null ? null : normalizedCallback(callbackUrl);
        Map<String, String> lab = new TreeMap<>();
        if (labels != null) {
            labels.forEach((k, v) -> {
                if (k == null || k.isBlank() || k.length() > 64 || v == null || v.length() > 256) {
                    throw new InvalidJobSpecException("labels",
                            "keys must be 1..64 characters and values at most 256, got '" + k + "'");
                }
                lab.put(k, v);
            });
        }
        BenchmarkSpec bench = benchmark == null ? null : new BenchmarkSpec(!benchmark.enabled(),
                benchmark.batchSizes() == null ? null : List.copyOf(benchmark.batchSizes()), benchmark.maxRuns(),
                orDefault(benchmark.maxSeconds(), DEFAULT_BENCHMARK_SECONDS));
        return new JobSpec(modelId, b, sw, p, in, cal, ft, evaluation, callback, lab, limits, output, bench);
    }

    /**
     * The library's pruning options for this normalized spec. A spec stored before an option existed names none, and
     * gets the option's default.
     */
    public PruningOptions toPruningOptions() {
        PruningOptions defaults = PruningOptions.defaults();
        PruningSpec p = pruning;
        return new PruningOptions(Scope.parse(p.scope()), Criterion.parse(p.criterion()),
                Allocation.parse(p.allocation()), p.roundTo(), p.minChannels(), defaults.maxFraction(), p.exclude(),
                p.seed(), inputShapes(),
                p.groupedConvolutions() == null ? defaults.groupedConvolutions()
                        : GroupedConvolutions.parse(p.groupedConvolutions()),
                p.attentionUnit() == null ? defaults.attentionUnit() : AttentionUnit.parse(p.attentionUnit()));
    }

    /** The compute target of a single job; a sweep's candidates each get a fraction instead. */
    public Budget toBudget() {
        return Budget.of(budget.macs(), budget.flops(), budget.fraction());
    }

    /** The model input's shape when the spec gives one, for the graph's dynamic dimensions. */
    public Map<String, long[]> inputShapes() {
        List<Long> shape = input == null ? null : input.shape();
        return shape == null ? Map.of()
                : Map.of(ShapeInference.ONLY_INPUT, shape.stream().mapToLong(Long::longValue).toArray());
    }

    /** Every dataset the job reads, so the service can check they exist and belong to the caller. */
    public List<String> datasetIds() {
        return java.util.stream.Stream.of(calibration == null ? null : calibration.datasetId(),
                        fineTune == null ? null : fineTune.datasetId(),
                        evaluation == null ? null : evaluation.datasetId())
                .filter(java.util.Objects::nonNull).distinct().toList();
    }

    private BudgetSpec normalizedBudget() {
        int given = (budget.macs() != null ? 1 : 0) + (budget.flops() != null ? 1 : 0)
                + (budget.fraction() != null ? 1 : 0) + (budget.trainFlops() != null ? 1 : 0);
        if (given != 1) {
            throw new InvalidJobSpecException("budget", "give exactly one of macs, flops, fraction or trainFlops, got "
                    + given);
        }
        if (budget.trainFlops() != null) {
            if (sweep == null) {
                throw new InvalidJobSpecException("budget.trainFlops", "is the training budget of a sweep and needs "
                        + "sweep and fineTune; to cap one model's fine-tuning, use fineTune.maxTrainFlops");
            }
        } else if (sweep != null) {
            throw new InvalidJobSpecException("budget", "a sweep takes budget.trainFlops, the fine-tuning FLOPs "
                    + "each candidate may spend; its candidates' sizes come from sweep.fractions");
        }
        return budget;
    }

    private SweepSpec normalizedSweep() {
        if (fineTune == null) {
            throw new InvalidJobSpecException("fineTune", "is required with sweep: every candidate is fine-tuned "
                    + "within budget.trainFlops on the fine-tuning dataset");
        }
        List<Double> fractions = sweep.fractions() == null ? DEFAULT_SWEEP_FRACTIONS : sweep.fractions();
        java.util.TreeSet<Double> distinct = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
        distinct.addAll(fractions);
        if (distinct.size() != fractions.size()) {
            throw new InvalidJobSpecException("sweep.fractions", "must be distinct, got " + fractions);
        }
        return new SweepSpec(List.copyOf(distinct));
    }

    /** What a spec without a {@code pruning} section runs with: the library's defaults, spelled as the spec does. */
    public static PruningSpec defaultPruning() {
        return normalizedPruning(null);
    }

    private static PruningSpec normalizedPruning(PruningSpec given) {
        PruningSpec p = given == null ? new PruningSpec(null, null, null, null, null, null, null, null, null) : given;
        PruningOptions defaults = PruningOptions.defaults();
        String scope = option(Scope.class, p.scope(), defaults.scope());
        String criterion = option(Criterion.class, p.criterion(), defaults.criterion());
        String allocation = option(Allocation.class, p.allocation(), defaults.allocation());
        String groupedConvolutions = option(GroupedConvolutions.class, p.groupedConvolutions(),
                defaults.groupedConvolutions());
        String attentionUnit = option(AttentionUnit.class, p.attentionUnit(), defaults.attentionUnit());
        int roundTo = orDefault(p.roundTo(), defaults.roundTo());
        int minChannels = orDefault(p.minChannels(), defaults.minChannels());
        List<String> exclude = p.exclude() == null ? defaults.exclude() : p.exclude();
        long seed = p.seed() == null ? defaults.seed() : p.seed();
        return new PruningSpec(scope, criterion, allocation, roundTo, minChannels, List.copyOf(exclude), seed,
                groupedConvolutions, attentionUnit);
    }

    private InputSpec normalizedInput() {
        InputSpec in = input == null ? new InputSpec(null, null, null, null, null, null) : input;
        List<Double> mean = in.mean() == null ? List.of(0.0) : in.mean();
        List<Double> std = in.std() == null ? List.of(1.0) : in.std();
        if (mean.isEmpty() || mean.size() > 3 || mean.stream().anyMatch(m -> m == null || !Double.isFinite(m))) {
            throw new InvalidJobSpecException("input.mean", "must be 1 or 3 finite numbers");
        }
        if (std.isEmpty() || std.size() > 3 || std.stream().anyMatch(s -> s == null || !(s > 0) || s.isInfinite())) {
            throw new InvalidJobSpecException("input.std", "must be 1 or 3 positive numbers");
        }
        String channels = in.channels() == null ? null : option(Preprocessing.Channels.class, in.channels(), null);
        return new InputSpec(in.shape(), List.copyOf(mean), List.copyOf(std), in.resize(),
                in.crop() == null ? null : List.copyOf(in.crop()), channels);
    }

    private FineTuneSection normalizedFineTune() {
        FineTuneSection f = fineTune;
        Long maxTrainFlops = f.maxTrainFlops();
        Long sweepBudget = budget == null ? null : budget.trainFlops();
        if (sweepBudget != null) {
            if (maxTrainFlops != null && !maxTrainFlops.equals(sweepBudget)) {
                throw new InvalidJobSpecException("fineTune.maxTrainFlops", "must be absent or equal to "
                        + "budget.trainFlops (" + sweepBudget + ") in a sweep, got " + maxTrainFlops);
            }
            maxTrainFlops = sweepBudget;
        }
        if (f.epochs() == null && maxTrainFlops == null) {
            throw new InvalidJobSpecException("fineTune", "give epochs, maxTrainFlops or both");
        }
        int epochs = orDefault(f.epochs(), MAX_EPOCHS);
        FineTuneSpec.OptimizerKind kind = f.optimizer() == null ? FineTuneSpec.defaults().optimizer()
                : FineTuneSpec.OptimizerKind.parse(f.optimizer());
        FineTuneSpec defaults = FineTuneSpec.defaults(kind);
        double lr = f.learningRate() == null ? kind.defaultLearningRate() : f.learningRate();
        int batch = orDefault(f.batchSize(), defaults.batchSize());
        double wd = f.weightDecay() == null ? defaults.weightDecay() : f.weightDecay();
        String head = option(HeadReplacement.Mode.class, f.head(), HeadReplacement.DEFAULT_MODE);
        String freeze = option(FineTuneSpec.Freeze.class, f.freeze(), defaults.freeze());
        long seed = f.seed() == null ? defaults.seed() : f.seed();
        int validationSamples = orDefault(f.validationSamples(), DEFAULT_VALIDATION_SAMPLES);
        return new FineTuneSection(f.datasetId(), epochs, maxTrainFlops, OptionNames.label(kind), lr, batch, wd,
                head, freeze, seed, validationSamples);
    }

    private static String normalizedCallback(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidJobSpecException("callbackUrl", "is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new InvalidJobSpecException("callbackUrl", "must be an absolute http or https URL");
        }
        return uri.toString();
    }

    /** The option's canonical spelling; {@link JobSpecFields} has already refused one the enum does not have. */
    private static <E extends Enum<E>> String option(Class<E> type, String value, E fallback) {
        if (value == null) {
            return fallback == null ? null : OptionNames.label(fallback);
        }
        return OptionNames.label(OptionNames.find(type, value).orElseThrow());
    }

    /** The BENCHMARK stage's time in seconds. */
    public int benchmarkSeconds() {
        return benchmark == null || benchmark.maxSeconds() == null ? DEFAULT_BENCHMARK_SECONDS : benchmark.maxSeconds();
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

}
