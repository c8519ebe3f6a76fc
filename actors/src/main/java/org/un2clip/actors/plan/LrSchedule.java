package org.un2clip.actors.plan;

/**
 * Learning rate per global step (0-based): constant, linear warm-up to the base rate, or warm-up then
 * cosine decay to zero at the last step.
 */
public record LrSchedule(String kind, double base, long warmupSteps, long totalSteps) {
    public LrSchedule {
        if (!kind.equals("constant") && !kind.equals("linear-warmup") && !kind.equals("cosine")) {
            throw new IllegalArgumentException("train.lr-schedule must be constant, linear-warmup or cosine, got " + kind);
        }
    }

    public double at(long step) {
        if (kind.equals("constant")) {
            return base;
        }
        if (step < warmupSteps) {
            return base * (step + 1) / warmupSteps;
        }
        if (kind.equals("linear-warmup")) {
            return base;
        }
        long decay = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decay);
        return 0.5 * base * (1 + Math.cos(Math.PI * progress));
    }
}
