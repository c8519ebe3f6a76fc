package org.un2clip.actors.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.un2clip.data.sampler.GlobalSampler;
import org.un2clip.data.sampler.SamplerState;

class PlanTest {
    @Test
    void ranksSplitTheGlobalBatchWithoutOverlapAndTheUnionIsIndependentOfW() {
        SamplerAssignment a = new SamplerAssignment(7, 100, 8, 4);
        long[] w1 = a.samples(3, 0, 1);
        long[] r0 = a.samples(3, 0, 4);
        long[] r3 = a.samples(3, 3, 4);
        assertThat(r0).containsExactly(w1[0], w1[4]);
        assertThat(r3).containsExactly(w1[3], w1[7]);
        long[] all = LongStream.concat(LongStream.of(a.samples(3, 0, 2)), LongStream.of(a.samples(3, 1, 2))).sorted()
                .toArray();
        long[] sorted = w1.clone();
        Arrays.sort(sorted);
        assertThat(all).containsExactly(sorted);
        // 12 steps per epoch (tail dropped); a new epoch is a new permutation.
        assertThat(a.cursor(12)).isEqualTo(new SamplerState(1, 0));
        assertThat(a.samples(12, 0, 1)).isNotEqualTo(a.samples(0, 0, 1));
        assertThat(new SamplerAssignment(7, 100, 8, 1).samples(3, 0, 1)).containsExactly(w1);
        // The data module's sampler gives the same order for the same (seed, epoch).
        int[] order = new GlobalSampler(100, 8, 7).permutation(0);
        assertThat(w1).containsExactly(Arrays.stream(order, 24, 32).asLongStream().toArray());
    }

    @Test
    void aStepReplannedOverTheLiveRanksTrainsExactlyItsSamples() {
        SamplerAssignment a = new SamplerAssignment(7, 100, 8, 4);
        long[] all = a.samples(5, 0, 1);
        long[] r0 = a.samples(5, 0, new int[] {0, 2});
        long[] r2 = a.samples(5, 2, new int[] {0, 2});
        long[] union = LongStream.concat(Arrays.stream(r0), Arrays.stream(r2)).sorted().toArray();
        assertThat(union).containsExactly(Arrays.stream(all).sorted().toArray());   // none lost, none twice
        // Live ranks keep their positions (0, 4 and 2, 6); the lost ranks' 1, 3, 5, 7 are dealt to 0, 2, 0, 2.
        assertThat(r0).containsExactly(all[0], all[1], all[4], all[5]);
        assertThat(r2).containsExactly(all[2], all[3], all[6], all[7]);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.samples(5, 1, new int[] {0, 2}))
                .hasMessageContaining("rank 1 is not among the live ranks [0, 2]");
    }

    @Test
    void clipCoefficientIsTorchClipGradNorm() {
        RunPlan p = new RunPlan(1, 1, 1, 8, 8, 10, 7, false, 0, 1e-3, 0, 0.9, 0.999, 1e-8, "constant", 0, 1.0, 1.0, "toy", 100, false, 2000);
        assertThat(p.clipCoefficient(5.0)).isEqualTo(1.0 / (5.0 + 1e-6));     // max_norm / (norm + 1e-6)
        assertThat(p.clipCoefficient(0.5)).isEqualTo(1.0);                    // clamped: never scales up
        RunPlan off = new RunPlan(1, 1, 1, 8, 8, 10, 7, false, 0, 1e-3, 0, 0.9, 0.999, 1e-8, "constant", 0, 0.0, 1.0, "toy", 100, false, 2000);
        assertThat(off.clipCoefficient(50.0)).isEqualTo(1.0);
    }

    @Test
    void schedules() {
        assertThat(new LrSchedule("constant", 1, 0, 10).at(5)).isEqualTo(1);
        LrSchedule warm = new LrSchedule("linear-warmup", 1, 4, 10);
        assertThat(warm.at(0)).isEqualTo(0.25);
        assertThat(warm.at(3)).isEqualTo(1);
        assertThat(warm.at(9)).isEqualTo(1);
        LrSchedule cos = new LrSchedule("cosine", 2, 2, 12);
        assertThat(cos.at(1)).isEqualTo(2);
        assertThat(cos.at(2)).isEqualTo(2);
        assertThat(cos.at(7)).isCloseTo(1, within(1e-12));
        assertThat(cos.at(12)).isCloseTo(0, within(1e-12));
    }

    @Test
    void shardLayoutCoversTheVectorContiguously() {
        ShardLayout l = new ShardLayout(10, 3);
        assertThat(l.from(0)).isZero();
        assertThat(l.from(1)).isEqualTo(l.length(0));
        assertThat(l.from(2) + l.length(2)).isEqualTo(10);
    }
}
