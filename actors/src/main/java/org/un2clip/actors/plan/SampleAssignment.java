package org.un2clip.actors.plan;

/**
 * Which global samples a rank trains in a global step. The data module's sampler replaces
 * {@link PermutationAssignment} behind this interface; the runtime needs only these answers.
 */
public interface SampleAssignment {

    /** Where in the data a global step starts: the checkpointed data cursor. */
    record Cursor(long epoch, long offset) {}

    Cursor cursor(long step);

    /** Global sample ids rank {@code rank} of {@code world} trains in {@code step}, in global batch order. */
    long[] samples(long step, int rank, int world);
}
