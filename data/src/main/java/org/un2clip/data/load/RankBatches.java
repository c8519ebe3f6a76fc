package org.un2clip.data.load;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.un2clip.data.sampler.GlobalSampler;
import org.un2clip.data.sampler.SamplerState;

/** A rank's shares of successive steps from a cursor: the index batches a rank's {@link BatchLoader} loads. */
public final class RankBatches implements Iterator<int[]> {
    private final GlobalSampler sampler;
    private final int worldSize;
    private final int rank;
    private SamplerState cursor;
    private long remaining;

    /** {@code steps} steps from {@code from} (Long.MAX_VALUE for an endless run). */
    public RankBatches(GlobalSampler sampler, SamplerState from, int worldSize, int rank, long steps) {
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " outside 0.." + (worldSize - 1));
        }
        this.sampler = sampler;
        this.worldSize = worldSize;
        this.rank = rank;
        this.cursor = from;
        this.remaining = steps;
    }

    @Override
    public boolean hasNext() {
        return remaining > 0;
    }

    @Override
    public int[] next() {
        if (remaining <= 0) {
            throw new NoSuchElementException();
        }
        int[] samples = sampler.plan(cursor, worldSize).share(rank).samples();
        cursor = sampler.next(cursor);
        remaining--;
        return samples;
    }
}
