package io.shears.engine.training;

import io.shears.files.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The per-epoch CSV of a fine-tuning run, rewritten whole after every epoch so a reader never sees half a row. */
final class EpochCsv {
    private EpochCsv() {
    }

    static void write(Path csv, List<FineTuneResult.EpochRow> rows) throws IOException {
        StringBuilder text = new StringBuilder(FineTuneResult.CSV_HEADER).append('\n');
        for (FineTuneResult.EpochRow row : rows) {
            text.append(row.csv()).append('\n');
        }
        AtomicFiles.writeString(csv, text);
    }
}
