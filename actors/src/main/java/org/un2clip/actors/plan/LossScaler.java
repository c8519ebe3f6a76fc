package org.un2clip.actors.plan;

/**
 * Dynamic loss scaling for fp16 objectives (torch {@code GradScaler}'s rule): a step whose global gradient norm
 * is not finite is skipped and halves the scale; {@code growthInterval} finite steps in a row double it. The
 * coordinator decides the scale of step s+1 when step s's norm is known; the state (scale and the count of
 * finite steps since the last change) is checkpointed, so a resumed run scales exactly as an uninterrupted one.
 *
 * @param scale     the scale of the next step: trainers multiply their gradients by it, shards divide it out
 * @param goodSteps finite steps since the scale last changed
 */
public record LossScaler(double scale, int goodSteps) {
    public LossScaler {
        if (!(scale > 0) || Double.isInfinite(scale) || goodSteps < 0) {
            throw new IllegalArgumentException("loss scale must be positive and finite (got " + scale
                    + ") and good steps >= 0 (got " + goodSteps + ")");
        }
    }

    /** The state after a step whose gradient norm was {@code finite} or not. */
    public LossScaler after(boolean finite, int growthInterval) {
        if (!finite) {
            return new LossScaler(scale / 2, 0);
        }
        return goodSteps + 1 >= growthInterval ? new LossScaler(scale * 2, 0) : new LossScaler(scale, goodSteps + 1);
    }
}
