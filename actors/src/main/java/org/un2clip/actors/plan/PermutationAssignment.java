package org.un2clip.actors.plan;

import org.un2clip.conf.KeyedRandom;

/**
 * Global step s takes positions [s·G, (s+1)·G) of epoch e's seeded permutation of the data set (the tail
 * shorter than G is dropped, so steps per epoch = N / G); rank r of W takes positions k ≡ r (mod W) of the
 * global batch. The permutation depends on (seed, epoch) only, so W = 1, 2, 4 see the same samples.
 */
public final class PermutationAssignment implements SampleAssignment {
    private final long seed;
    private final int datasetSize;
    private final int globalBatch;
    private long cachedEpoch = -1;
    private int[] cachedPermutation;

    public PermutationAssignment(long seed, int datasetSize, int globalBatch) {
        if (globalBatch <= 0 || datasetSize < globalBatch) {
            throw new IllegalArgumentException("data set of " + datasetSize + " samples cannot fill a global batch of "
                    + globalBatch);
        }
        this.seed = seed;
        this.datasetSize = datasetSize;
        this.globalBatch = globalBatch;
    }

    public long stepsPerEpoch() {
        return datasetSize / globalBatch;
    }

    @Override
    public Cursor cursor(long step) {
        return new Cursor(step / stepsPerEpoch(), (step % stepsPerEpoch()) * globalBatch);
    }

    @Override
    public long[] samples(long step, int rank, int world) {
        if (rank < 0 || rank >= world || world > globalBatch) {
            throw new IllegalArgumentException("rank " + rank + " of " + world + " for a global batch of " + globalBatch);
        }
        Cursor c = cursor(step);
        int[] perm = permutation(c.epoch());
        int n = (globalBatch - rank + world - 1) / world;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = perm[(int) c.offset() + rank + i * world];
        }
        return ids;
    }

    /** Fisher–Yates over 0..N-1 keyed by (seed, epoch). */
    private synchronized int[] permutation(long epoch) {
        if (epoch != cachedEpoch) {
            int[] p = new int[datasetSize];
            for (int i = 0; i < p.length; i++) {
                p[i] = i;
            }
            KeyedRandom r = KeyedRandom.of(seed, epoch, 0, KeyedRandom.Purpose.PERMUTATION);
            for (int i = p.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            cachedPermutation = p;
            cachedEpoch = epoch;
        }
        return cachedPermutation;
    }
}
