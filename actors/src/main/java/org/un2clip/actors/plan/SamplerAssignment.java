package org.un2clip.actors.plan;

import java.util.Arrays;
import org.un2clip.data.sampler.GlobalSampler;
import org.un2clip.data.sampler.SamplerState;

/**
 * The runtime's sample assignment is the data module's {@link GlobalSampler} (drop-last: every step is one
 * full global batch): global step s starts at {@code stateAtStep(s)} of epoch e's permutation keyed by
 * (seed, e); rank r of W takes the step's positions ≡ r (mod W); a step re-planned over the live ranks keeps
 * each live rank's positions and deals the lost ranks' positions round-robin to the live ones. One
 * implementation of the order and the split, so the data tools and the runtime agree on every (seed, epoch).
 */
public final class SamplerAssignment implements SampleAssignment {
    private final GlobalSampler sampler;
    private final int world;

    /** @param world the plan's number of trainers W (the ranks a re-plan is relative to) */
    public SamplerAssignment(long seed, int datasetSize, int globalBatch, int world) {
        this.sampler = new GlobalSampler(datasetSize, globalBatch, seed, true);
        this.world = world;
    }

    public long stepsPerEpoch() {
        return sampler.stepsPerEpoch();
    }

    @Override
    public SamplerState cursor(long step) {
        return sampler.stateAtStep(step);
    }

    @Override
    public long[] samples(long step, int rank, int worldSize) {
        if (rank < 0 || rank >= worldSize || worldSize > sampler.globalBatch()) {
            throw new IllegalArgumentException("rank " + rank + " of " + worldSize + " for a global batch of "
                    + sampler.globalBatch());
        }
        return ids(sampler.plan(cursor(step), worldSize).share(rank).samples());
    }

    @Override
    public long[] samples(long step, int rank, int[] live) {
        if (Arrays.stream(live).noneMatch(r -> r == rank)) {
            throw new IllegalArgumentException("rank " + rank + " is not among the live ranks " + Arrays.toString(live));
        }
        return ids(sampler.plan(cursor(step), world, Arrays.stream(live).boxed().toList()).share(rank).samples());
    }

    private static long[] ids(int[] samples) {
        return Arrays.stream(samples).asLongStream().toArray();
    }
}
