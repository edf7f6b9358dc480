package io.shears.engine.training;

/**
 * Linear warm-up then cosine decay to 0: for step {@code s} (0-based) with {@code w} warm-up steps of {@code t} in
 * all, {@code peak·(s+1)/w} while {@code s < w}, else {@code peak·½(1 + cos(π·(s−w)/max(1, t−w)))}.
 */
record LearningRateSchedule(double peak, long warmupSteps, long totalSteps) {

    /** The learning rate of step {@code step} (0-based). */
    double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
        return peak * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
