package io.shears.pipeline;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.onnx.ModelMetadata;
import io.shears.pruning.PruningReport;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a pruned model came from, written into the model itself ({@code metadata_props}, and Shears as its producer)
 * so that the file keeps its record wherever it is copied. Only what the job decides goes in, never a clock time, so
 * the same model and spec still give the same bytes.
 *
 * @param jobId         the service's job; null outside the service
 * @param sourceName    the name the source model was uploaded under (or its file name)
 * @param top1          the final top-1 accuracy when the job evaluated, else null
 * @param top1DatasetId the dataset {@code top1} was measured on
 */
public record ModelLineage(String shearsVersion, String jobId, String sourceSha256, String sourceName,
                           PruningReport pruning, Double top1, String top1DatasetId) {
    public static final String PRODUCER = "Shears";
    /** Every key Shears writes starts with it, so it replaces its own entries and keeps the exporter's. */
    public static final String PREFIX = "shears.";
    public static final String VERSION = PREFIX + "version";
    public static final String JOB_ID = PREFIX + "job_id";
    public static final String SOURCE_SHA256 = PREFIX + "source_sha256";
    public static final String SOURCE_NAME = PREFIX + "source_name";
    public static final String BUDGET = PREFIX + "budget";
    public static final String SCOPE = PREFIX + "scope";
    public static final String MACS = PREFIX + "macs";
    public static final String ORIGINAL_MACS = PREFIX + "original_macs";
    public static final String MACS_FRACTION = PREFIX + "macs_fraction";
    public static final String TOP1 = PREFIX + "top1";
    public static final String TOP1_DATASET = PREFIX + "top1_dataset";

    /** The entries, absent ones left out. */
    public Map<String, String> properties() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(VERSION, shearsVersion);
        put(out, JOB_ID, jobId);
        out.put(SOURCE_SHA256, sourceSha256);
        put(out, SOURCE_NAME, sourceName);
        out.put(BUDGET, pruning.target().budget());
        out.put(SCOPE, pruning.scope());
        out.put(MACS, Long.toString(pruning.pruned().macs()));
        out.put(ORIGINAL_MACS, Long.toString(pruning.original().macs()));
        out.put(MACS_FRACTION, Double.toString(pruning.achievedFraction()));
        if (top1 != null) {
            out.put(TOP1, Double.toString(top1));
            put(out, TOP1_DATASET, top1DatasetId);
        }
        return out;
    }

    public ModelProto stamp(ModelProto model) {
        return ModelMetadata.stamp(model, PRODUCER, shearsVersion, PREFIX, properties());
    }

    private static void put(Map<String, String> out, String key, String value) {
        if (value != null) {
            out.put(key, value);
        }
    }
}
