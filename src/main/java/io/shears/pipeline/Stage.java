package io.shears.pipeline;

/** The steps of a job, in the order they run; a job skips the ones its spec does not ask for. */
public enum Stage {
    ANALYZE, PRUNE, RECALIBRATE, FINETUNE, EVALUATE, EXPORT, BENCHMARK
}
