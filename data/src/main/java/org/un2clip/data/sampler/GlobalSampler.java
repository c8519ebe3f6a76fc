package org.un2clip.data.sampler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.un2clip.conf.KeyedRandom;

/**
 * The deterministic global sampler. Epoch e visits all N samples in the order of a Fisher–Yates shuffle
 * keyed by (seed, e); a step takes the next {@code globalBatch} positions of that order (the last step of an
 * epoch takes what is left, so every sample is seen exactly once per epoch); within a step, rank r of W takes
 * the positions p with p ≡ r (mod W). With {@code dropLast} (the training runtime, whose every step is exactly
 * one global batch) an epoch has ⌊N / globalBatch⌋ full steps and the tail shorter than a batch is dropped,
 * as torch's {@code DistributedSampler(drop_last=True)} does; the order of an epoch is the same either way.
 *
 * <p>Everything is a pure function of (seed, N, cursor, batch, W): a run resumed from a checkpointed
 * {@link SamplerState} sees exactly the samples an uninterrupted run would, whatever W is after the resume;
 * and {@link #plan(SamplerState, int, Collection)} re-plans a step over the ranks still alive without losing
 * or repeating a sample.
 */
public final class GlobalSampler {
    private final int numSamples;
    private final int globalBatch;
    private final long seed;
    private final boolean dropLast;
    private long cachedEpoch = -1;
    private int[] cachedPermutation;

    public GlobalSampler(int numSamples, int globalBatch, long seed) {
        this(numSamples, globalBatch, seed, false);
    }

    /** @param dropLast every step is a full global batch: an epoch's tail shorter than one is dropped */
    public GlobalSampler(int numSamples, int globalBatch, long seed, boolean dropLast) {
        if (numSamples <= 0) {
            throw new IllegalArgumentException("the dataset has no samples");
        }
        if (globalBatch <= 0) {
            throw new IllegalArgumentException("global batch must be positive: " + globalBatch);
        }
        if (dropLast && numSamples < globalBatch) {
            throw new IllegalArgumentException("a data set of " + numSamples + " samples cannot fill a global batch of "
                    + globalBatch);
        }
        this.numSamples = numSamples;
        this.globalBatch = globalBatch;
        this.seed = seed;
        this.dropLast = dropLast;
    }

    public int numSamples() {
        return numSamples;
    }

    public int globalBatch() {
        return globalBatch;
    }

    /** Steps per epoch: ⌈N / globalBatch⌉ (⌊N / globalBatch⌋ with dropLast). */
    public long stepsPerEpoch() {
        return dropLast ? numSamples / globalBatch : (numSamples + (long) globalBatch - 1) / globalBatch;
    }

    /** The cursor at global step s of a run that started at the beginning with this batch size. */
    public SamplerState stateAtStep(long step) {
        return new SamplerState(step / stepsPerEpoch(), (step % stepsPerEpoch()) * globalBatch);
    }

    /** Epoch e's order of all samples: position → sample index (a copy). */
    public int[] permutation(long epoch) {
        return permutationShared(epoch).clone();
    }

    private synchronized int[] permutationShared(long epoch) {
        if (epoch != cachedEpoch) {
            cachedPermutation = shuffle(numSamples, seed, epoch);
            cachedEpoch = epoch;
        }
        return cachedPermutation;
    }

    /** Fisher–Yates keyed by (seed, epoch); the sample slot of the key is unused (0) for a permutation. */
    static int[] shuffle(int n, long seed, long epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        KeyedRandom r = KeyedRandom.of(seed, epoch, 0, KeyedRandom.Purpose.PERMUTATION);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The cursor after the step starting at {@code at}. */
    public SamplerState next(SamplerState at) {
        checkCursor(at);
        long end = at.offset() + globalBatch;
        long lastStart = dropLast ? numSamples - globalBatch : numSamples - 1;
        return end > lastStart ? new SamplerState(at.epoch() + 1, 0) : new SamplerState(at.epoch(), end);
    }

    /** The step at {@code at} for ranks 0..W-1: rank r takes step positions ≡ r (mod W). */
    public StepPlan plan(SamplerState at, int worldSize) {
        if (worldSize <= 0) {
            throw new IllegalArgumentException("world size must be positive: " + worldSize);
        }
        List<Integer> all = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
            all.add(r);
        }
        return plan(at, worldSize, all);
    }

    /**
     * The step at {@code at} planned for W ranks, re-planned over the live ones: each live rank keeps its own
     * positions (≡ r mod W), and the positions of the dead ranks, in order, are dealt round-robin to the live
     * ranks in increasing rank order. The step's samples are the same as with all ranks alive.
     */
    public StepPlan plan(SamplerState at, int worldSize, Collection<Integer> liveRanks) {
        checkCursor(at);
        TreeSet<Integer> live = new TreeSet<>(liveRanks);
        if (live.isEmpty()) {
            throw new IllegalArgumentException("no live ranks to plan the step over");
        }
        if (live.first() < 0 || live.last() >= worldSize) {
            throw new IllegalArgumentException("live ranks " + live + " outside 0.." + (worldSize - 1));
        }
        int[] perm = permutationShared(at.epoch());
        int count = (int) Math.min(globalBatch, numSamples - at.offset());
        int[] samples = new int[count];
        System.arraycopy(perm, (int) at.offset(), samples, 0, count);

        Map<Integer, List<Integer>> positions = new HashMap<>();
        live.forEach(r -> positions.put(r, new ArrayList<>()));
        List<Integer> orphans = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            int owner = p % worldSize;
            (live.contains(owner) ? positions.get(owner) : orphans).add(p);
        }
        List<Integer> order = new ArrayList<>(live);
        for (int i = 0; i < orphans.size(); i++) {
            positions.get(order.get(i % order.size())).add(orphans.get(i));
        }
        Map<Integer, RankShare> shares = new HashMap<>();
        for (int r : live) {
            int[] pos = positions.get(r).stream().mapToInt(Integer::intValue).sorted().toArray();
            int[] s = new int[pos.length];
            for (int i = 0; i < pos.length; i++) {
                s[i] = samples[pos[i]];
            }
            shares.put(r, new RankShare(r, pos, s));
        }
        return new StepPlan(at, next(at), samples, shares);
    }

    private void checkCursor(SamplerState at) {
        if (at.offset() >= numSamples) {
            throw new IllegalArgumentException("cursor offset " + at.offset() + " is past the epoch's " + numSamples + " samples");
        }
        if (dropLast && at.offset() + globalBatch > numSamples) {
            throw new IllegalArgumentException("cursor offset " + at.offset() + " starts in the dropped tail of the epoch's "
                    + numSamples + " samples (global batch " + globalBatch + ")");
        }
    }
}
