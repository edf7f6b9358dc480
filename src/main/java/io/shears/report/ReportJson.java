package io.shears.report;

import io.shears.files.AtomicFiles;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code report.json}: keys in the records' declaration order and map entries sorted, so the same report always gives
 * the same text and readers find the sections in the order of the job.
 */
public final class ReportJson {
    /** Also the mapper for reading a report back (the pipeline's work directory keeps stage results this way). */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ReportJson() {
    }

    public static String toJson(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    public static JsonNode toTree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static JobReport read(Path file) {
        return MAPPER.readValue(file.toFile(), JobReport.class);
    }

    /** Writes atomically: the file is either absent or complete. */
    public static void write(JobReport report, Path target) {
        writeText(toJson(report) + "\n", target);
    }

    static void writeText(String text, Path target) {
        try {
            AtomicFiles.writeString(target, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
