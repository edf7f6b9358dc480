package io.shears.engine.training;

import java.util.ArrayList;
import java.util.List;

/** The counters of a fine-tuning run and its epoch rows so far: what a checkpoint saves besides the arrays. */
final class TrainingProgress {
    int epoch;
    long steps;
    long trainFlops;
    boolean finished;
    boolean budgetReached;
    final List<FineTuneResult.EpochRow> rows = new ArrayList<>();
}
