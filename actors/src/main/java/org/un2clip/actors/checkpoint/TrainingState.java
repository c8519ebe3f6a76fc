package org.un2clip.actors.checkpoint;

/**
 * A consistent copy of a run at a step boundary: the full flat master weights and AdamW moments
 * (independent of the shard count), the optimizer step, and the coordinator's position.
 *
 * @param step      the next global step to run (steps [0, step) are done)
 * @param adamStep  AdamW's t (equals step unless overflowing steps were skipped)
 * @param epoch     data cursor: epoch of {@code step}
 * @param offset    data cursor: position within that epoch's permutation
 * @param lossScale the loss scale in force
 * @param lrOverride the learning rate an operator set with `set lr` (NaN: the schedule's); a resumed run keeps it
 * @param lossScaleGoodSteps dynamic loss scaling: finite steps since the scale last changed
 */
public record TrainingState(long step, long adamStep, long seed, long epoch, long offset, double lossScale,
        float[] master, float[] expAvg, float[] expAvgSq, double lrOverride, int lossScaleGoodSteps)
        implements org.apache.pekko.actor.NoSerializationVerificationNeeded {}
