package org.un2clip.data.sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one rank trains in one step: the step positions it took (0-based within the step, in increasing
 * order) and the global sample indices at those positions.
 */
public record RankShare(int rank, int[] positions, int[] samples) {
    public RankShare {
        if (positions.length != samples.length) {
            throw new IllegalArgumentException("positions and samples differ in length");
        }
    }

    public int size() {
        return samples.length;
    }

    /**
     * The share split into micro-batches of at most {@code microBatch} samples, in order: gradient
     * accumulation runs them one after another and sums before the update. Empty share → no micro-batch.
     */
    public List<int[]> microBatches(int microBatch) {
        if (microBatch <= 0) {
            throw new IllegalArgumentException("micro-batch must be positive: " + microBatch);
        }
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < samples.length; i += microBatch) {
            out.add(Arrays.copyOfRange(samples, i, Math.min(samples.length, i + microBatch)));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RankShare r && r.rank == rank && Arrays.equals(r.positions, positions) && Arrays.equals(r.samples, samples);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rank + Arrays.hashCode(positions)) + Arrays.hashCode(samples);
    }

    @Override
    public String toString() {
        return "RankShare[rank=" + rank + ", samples=" + Arrays.toString(samples) + "]";
    }
}
