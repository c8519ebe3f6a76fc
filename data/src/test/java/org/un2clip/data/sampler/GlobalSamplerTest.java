package org.un2clip.data.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GlobalSamplerTest {
    static final int N = 103;
    static final int BATCH = 10;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 7})
    void everySampleExactlyOncePerEpochAcrossRanks(int worldSize) {
        GlobalSampler s = new GlobalSampler(N, BATCH, 42);
        for (long epoch = 0; epoch < 2; epoch++) {
            List<Integer> seen = new ArrayList<>();
            SamplerState at = new SamplerState(epoch, 0);
            for (long step = 0; step < s.stepsPerEpoch(); step++) {
                StepPlan plan = s.plan(at, worldSize);
                for (int r = 0; r < worldSize; r++) {
                    for (int x : plan.share(r).samples()) {
                        seen.add(x);
                    }
                    for (int p : plan.share(r).positions()) {
                        assertThat(p % worldSize).isEqualTo(r);
                    }
                }
                at = plan.next();
            }
            assertThat(at).isEqualTo(new SamplerState(epoch + 1, 0));
            assertThat(seen).hasSize(N).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(IntStream.range(0, N).boxed().toList());
        }
    }

    @Test
    void dropLastGivesFullStepsInTheSameOrderAndDropsTheTail() {
        GlobalSampler full = new GlobalSampler(N, BATCH, 42);
        GlobalSampler drop = new GlobalSampler(N, BATCH, 42, true);
        assertThat(drop.stepsPerEpoch()).isEqualTo(N / BATCH);
        for (long epoch = 0; epoch < 2; epoch++) {
            SamplerState at = new SamplerState(epoch, 0);
            List<Integer> seen = new ArrayList<>();
            for (long step = 0; step < drop.stepsPerEpoch(); step++) {
                assertThat(drop.stateAtStep(epoch * drop.stepsPerEpoch() + step)).isEqualTo(at);
                StepPlan p = drop.plan(at, 3);
                assertThat(p.size()).isEqualTo(BATCH);
                assertThat(p).isEqualTo(new StepPlan(at, p.next(), full.plan(at, 3).samples(), full.plan(at, 3).shares()));
                Arrays.stream(p.samples()).forEach(seen::add);
                at = p.next();
            }
            assertThat(at).isEqualTo(new SamplerState(epoch + 1, 0));
            int[] order = full.permutation(epoch);
            assertThat(seen).containsExactlyElementsOf(Arrays.stream(order, 0, N / BATCH * BATCH).boxed().toList());
        }
        assertThatThrownBy(() -> drop.plan(new SamplerState(0, 100), 1)).hasMessageContaining("dropped tail");
        assertThatThrownBy(() -> new GlobalSampler(5, 8, 1, true)).hasMessageContaining("cannot fill a global batch of 8");
    }

    @Test
    void sameSeedSameOrderOtherSeedOrEpochAnother() {
        int[] a = new GlobalSampler(N, BATCH, 7).permutation(3);
        assertThat(new GlobalSampler(N, BATCH, 7).permutation(3)).isEqualTo(a);
        assertThat(new GlobalSampler(N, BATCH, 8).permutation(3)).isNotEqualTo(a);
        assertThat(new GlobalSampler(N, BATCH, 7).permutation(4)).isNotEqualTo(a);
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        assertThat(sorted).isEqualTo(IntStream.range(0, N).toArray());
    }

    @Test
    void permutationIsTheKeyedFisherYates() {
        // Independently: draw j in [0, i] from KeyedRandom(seed, epoch, 0, PERMUTATION) for i = n-1 .. 1 and swap.
        var r = org.un2clip.conf.KeyedRandom.of(5, 2, 0, org.un2clip.conf.KeyedRandom.Purpose.PERMUTATION);
        int[] p = {0, 1, 2, 3, 4};
        for (int i = 4; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        assertThat(new GlobalSampler(5, 2, 5).permutation(2)).isEqualTo(p);
    }

    @Test
    void resumeGivesTheSamplesOfAnUninterruptedRunWithTheSameOrAnotherWorldSize() {
        GlobalSampler s = new GlobalSampler(N, BATCH, 99);
        int steps = 25;
        List<Set<Integer>> uninterrupted = run(s, SamplerState.START, steps, 3);
        for (int resumeW : new int[] {3, 1, 5}) {
            // Run 12 steps on W = 3, checkpoint the cursor (a record: what a checkpoint stores), resume on W'.
            SamplerState at = SamplerState.START;
            List<Set<Integer>> resumed = new ArrayList<>(run(s, at, 12, 3));
            for (int i = 0; i < 12; i++) {
                at = s.next(at);
            }
            SamplerState checkpoint = new SamplerState(at.epoch(), at.offset());
            GlobalSampler restarted = new GlobalSampler(N, BATCH, 99);
            resumed.addAll(run(restarted, checkpoint, steps - 12, resumeW));
            assertThat(resumed).as("resume on W=" + resumeW).isEqualTo(uninterrupted);
        }
        assertThat(s.stateAtStep(12)).isEqualTo(new SamplerState(1, 10));
    }

    @Test
    void replanOverSurvivorsLosesAndDuplicatesNothingAndKeepsSurvivorsShares() {
        GlobalSampler s = new GlobalSampler(N, BATCH, 1);
        SamplerState at = new SamplerState(0, 20);
        StepPlan full = s.plan(at, 4);
        StepPlan survivors = s.plan(at, 4, List.of(0, 3));
        assertThat(survivors.ranks()).containsExactly(0, 3);
        List<Integer> all = new ArrayList<>();
        survivors.shares().values().forEach(sh -> Arrays.stream(sh.samples()).forEach(all::add));
        assertThat(all).hasSize(BATCH).containsExactlyInAnyOrderElementsOf(Arrays.stream(full.samples()).boxed().toList());
        for (int r : List.of(0, 3)) {
            Set<Integer> kept = new HashSet<>(Arrays.stream(survivors.share(r).samples()).boxed().toList());
            assertThat(kept).containsAll(Arrays.stream(full.share(r).samples()).boxed().toList());
        }
        // Positions 1, 2, 5, 6, 9 of the dead ranks 1, 2 are dealt to 0, 3, 0, 3, 0.
        assertThat(survivors.share(0).positions()).containsExactly(0, 1, 4, 5, 8, 9);
        assertThat(survivors.share(3).positions()).containsExactly(2, 3, 6, 7);
        assertThat(survivors.next()).isEqualTo(full.next());
        assertThatThrownBy(() -> s.plan(at, 4, List.of())).hasMessageContaining("no live ranks");
        assertThatThrownBy(() -> s.plan(at, 4, List.of(4))).hasMessageContaining("outside");
    }

    @Test
    void microBatchesSplitAShareInOrder() {
        RankShare share = new GlobalSampler(N, 12, 3).plan(SamplerState.START, 2).share(1);
        List<int[]> micro = share.microBatches(4);
        assertThat(micro).extracting(m -> m.length).containsExactly(4, 2);
        assertThat(IntStreamConcat.of(micro)).isEqualTo(share.samples());
        assertThat(share.microBatches(100)).hasSize(1);
    }

    @Test
    void lastStepOfAnEpochTakesWhatIsLeft() {
        GlobalSampler s = new GlobalSampler(N, BATCH, 3);
        StepPlan last = s.plan(new SamplerState(0, 100), 2);
        assertThat(last.size()).isEqualTo(3);
        assertThat(last.share(0).size() + last.share(1).size()).isEqualTo(3);
        assertThat(last.next()).isEqualTo(new SamplerState(1, 0));
        assertThatThrownBy(() -> s.plan(new SamplerState(0, N), 1)).hasMessageContaining("past the epoch");
    }

    /** Per step, the set of samples trained (by whichever rank). */
    static List<Set<Integer>> run(GlobalSampler s, SamplerState from, int steps, int w) {
        List<Set<Integer>> out = new ArrayList<>();
        SamplerState at = from;
        for (int i = 0; i < steps; i++) {
            StepPlan p = s.plan(at, w);
            Set<Integer> step = new TreeSet<>();
            for (int r = 0; r < w; r++) {
                Arrays.stream(p.share(r).samples()).forEach(step::add);
            }
            out.add(step);
            at = p.next();
        }
        return out;
    }

    static final class IntStreamConcat {
        static int[] of(List<int[]> parts) {
            return parts.stream().flatMapToInt(Arrays::stream).toArray();
        }
    }
}
