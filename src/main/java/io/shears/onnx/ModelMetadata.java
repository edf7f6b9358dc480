package io.shears.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Names the program that wrote a model ({@code producer_name}, {@code producer_version}) and records where it came
 * from in its {@code metadata_props}. Entries under the given key prefix are replaced as a whole, so stamping a model
 * twice leaves only the second stamp; the model's other entries (its exporter's) are kept in their order, and the new
 * ones follow sorted by key, so the same stamp gives the same bytes.
 */
public final class ModelMetadata {
    private ModelMetadata() {
    }

    /**
     * @param prefix the namespace of the stamp's keys; every key of {@code properties} must start with it
     */
    public static ModelProto stamp(ModelProto model, String producer, String producerVersion, String prefix,
                                   Map<String, String> properties) {
        SortedMap<String, String> sorted = new TreeMap<>(properties);
        sorted.keySet().stream().filter(k -> !k.startsWith(prefix)).findFirst().ifPresent(k -> {
            throw new IllegalArgumentException("metadata key '" + k + "' is outside the namespace '" + prefix + "'");
        });
        ModelProto.Builder builder = model.toBuilder().setProducerName(producer).setProducerVersion(producerVersion)
                .clearMetadataProps();
        for (StringStringEntryProto kept : model.getMetadataPropsList()) {
            if (!kept.getKey().startsWith(prefix)) {
                builder.addMetadataProps(kept);
            }
        }
        sorted.forEach((key, value) -> builder.addMetadataProps(
                StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return builder.build();
    }

    /** The model's {@code metadata_props} as a map; a key given twice keeps its last value, as ONNX Runtime does. */
    public static Map<String, String> properties(ModelProto model) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        model.getMetadataPropsList().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
