package org.un2clip.data.sampler;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One global step: where it starts, the samples it covers (in step order), and each rank's share.
 *
 * @param at the cursor the step starts at
 * @param next the cursor after it
 * @param samples the step's global sample indices, position by position
 * @param shares the share of every rank that takes part (by rank id)
 */
public record StepPlan(SamplerState at, SamplerState next, int[] samples, Map<Integer, RankShare> shares) {
    public StepPlan {
        shares = java.util.Collections.unmodifiableMap(new TreeMap<>(shares));
    }

    public RankShare share(int rank) {
        RankShare s = shares.get(rank);
        if (s == null) {
            throw new IllegalArgumentException("rank " + rank + " takes no part in this step (ranks " + shares.keySet() + ")");
        }
        return s;
    }

    public List<Integer> ranks() {
        return List.copyOf(shares.keySet());
    }

    public int size() {
        return samples.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepPlan p && p.at.equals(at) && p.next.equals(next) && Arrays.equals(p.samples, samples) && p.shares.equals(shares);
    }

    @Override
    public int hashCode() {
        return at.hashCode() * 31 + Arrays.hashCode(samples);
    }

    @Override
    public String toString() {
        return "StepPlan[at=" + at + ", samples=" + samples.length + ", ranks=" + shares.keySet() + "]";
    }
}
