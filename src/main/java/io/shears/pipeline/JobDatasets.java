package io.shears.pipeline;

import io.shears.data.Dataset;
import io.shears.data.DatasetOptions;
import io.shears.data.ImageShape;
import io.shears.data.Preprocessing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The datasets of one run, opened on first use and closed together. Images become the model's input as the spec's
 * {@code input} section says, the rest derived from the model's input shape {@code [N, C, H, W]}: resize the shorter
 * side to H (the longer of H and W when they differ, so the crop fits) and centre-crop to H×W; C channels (1 grey,
 * 3 RGB).
 *
 * <p>Preprocessed images are kept in the spool directory up to {@link #PREPROCESSED_CACHE_BYTES}.
 *
 * <p>The fine-tuning dataset holds out a validation share when its archive has no validation split; a dataset used
 * only to calibrate or evaluate keeps every sample (an evaluation then uses the archive's own validation split if it
 * has one, else all samples).
 */
final class JobDatasets implements AutoCloseable {
    /**
     * Disk a dataset may use in the work directory for preprocessed samples, so that epochs and evaluations after the
     * first read floats instead of decoding again: all of Fashion-MNIST at 28×28 (190 MB), or about 7,000 images at
     * 3×224×224; past it, images are decoded each time they are read. An IDX dataset that preprocessing resizes is
     * not kept (see {@link Dataset}): resizing its raw pixels again is cheaper than reading the floats back.
     */
    static final long PREPROCESSED_CACHE_BYTES = 4L << 30;

    private final JobSpec spec;
    private final PipelineInputs inputs;
    private final PipelineSettings settings;
    private final Path spool;
    private final long[] modelInput;
    private final Map<String, Dataset> open = new LinkedHashMap<>();

    JobDatasets(JobSpec spec, PipelineInputs inputs, PipelineSettings settings, Path spool, long[] modelInput) {
        this.spec = spec;
        this.inputs = inputs;
        this.settings = settings;
        this.spool = spool;
        this.modelInput = modelInput.clone();
    }

    Dataset get(String id) {
        Dataset d = open.get(id);
        if (d == null) {
            d = Dataset.open(inputs.dataset(id), options(id));
            open.put(id, d);
            checkShape(id, d);
        }
        return d;
    }

    boolean isFineTuneDataset(String id) {
        return spec.fineTune() != null && spec.fineTune().datasetId().equals(id);
    }

    private DatasetOptions options(String id) {
        long seed = spec.fineTune() == null ? 0L : spec.fineTune().seed();
        return DatasetOptions.defaults()
                .withPreprocessing(preprocessing(spec.input(), modelInput))
                .withValFraction(isFineTuneDataset(id) ? settings.valFraction() : 0.0)
                .withSeed(seed)
                .withLimits(settings.datasetLimits())
                .withSpoolDirectory(spool)
                .withPreprocessedCache(PREPROCESSED_CACHE_BYTES);
    }

    static Preprocessing preprocessing(JobSpec.InputSpec input, long[] modelInput) {
        if (modelInput.length != 4) {
            throw new JobFailedException(JobFailures.MODEL_SHAPE_UNSUPPORTED, "datasets feed images to a model "
                    + "input of shape [N, C, H, W]; this model's input has " + modelInput.length + " dimensions");
        }
        int c = Math.toIntExact(modelInput[1]);
        int h = Math.toIntExact(modelInput[2]);
        int w = Math.toIntExact(modelInput[3]);
        int resize = input.resize() != null ? input.resize() : Math.max(h, w);
        List<Integer> crop = input.crop() != null ? input.crop() : List.of(h, w);
        Preprocessing.Channels channels = input.channels() != null
                ? Preprocessing.Channels.valueOf(input.channels().toUpperCase(java.util.Locale.ROOT))
                : c == 1 ? Preprocessing.Channels.GREY : c == 3 ? Preprocessing.Channels.RGB
                : Preprocessing.Channels.KEEP;
        return new Preprocessing(resize, crop.get(0), crop.get(1), channels, floats(input.mean()),
                floats(input.std()));
    }

    private void checkShape(String id, Dataset d) {
        ImageShape s = d.imageShape();
        if (s.channels() != modelInput[1] || s.height() != modelInput[2] || s.width() != modelInput[3]) {
            throw new JobFailedException(JobFailures.DATASET_SHAPE_MISMATCH, "dataset '" + id + "' gives images of "
                    + s + " (channels x height x width) after preprocessing, but the model's input is "
                    + modelInput[1] + "x" + modelInput[2] + "x" + modelInput[3] + "; adjust input.channels, "
                    + "input.resize or input.crop");
        }
    }

    private static float[] floats(List<Double> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).floatValue();
        }
        return out;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (Dataset d : open.values()) {
            try {
                d.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        open.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
