package org.un2clip.actors.plan;

import org.un2clip.data.sampler.SamplerState;

/**
 * Which global samples a rank trains in a global step ({@link SamplerAssignment}: the data module's sampler);
 * the runtime needs only these answers.
 */
public interface SampleAssignment {

    /** Where in the data a global step starts: the checkpointed data cursor. */
    SamplerState cursor(long step);

    /** Global sample ids rank {@code rank} of {@code world} trains in {@code step}, in global batch order. */
    long[] samples(long step, int rank, int world);

    /**
     * The same step re-planned over the live ranks only (a trainer was lost). The step's shares partition its
     * global batch for every set of live ranks, so the live ranks together train exactly the step's samples:
     * none lost, none twice.
     */
    long[] samples(long step, int rank, int[] live);
}
