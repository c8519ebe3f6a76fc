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

    /**
     * The same step re-planned over the live ranks only (a trainer was lost): rank {@code rank} takes the share
     * of position {@code indexOf(rank, live)} in a world of {@code live.length}. Because a step's shares
     * partition its global batch for every world size, the live ranks together train exactly the step's
     * samples: none lost, none twice.
     */
    default long[] samples(long step, int rank, int[] live) {
        for (int i = 0; i < live.length; i++) {
            if (live[i] == rank) {
                return samples(step, i, live.length);
            }
        }
        throw new IllegalArgumentException("rank " + rank + " is not among the live ranks "
                + java.util.Arrays.toString(live));
    }
}
