package org.un2clip.cluster.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InProcessStageRunnerTest {

    @Test
    void epochOrderIsAKeyedPermutation() {
        long[] p = InProcessStageRunner.permutation(42, 3, 100);
        assertThat(Arrays.stream(p).sorted().toArray()).containsExactly(java.util.stream.LongStream.range(0, 100).toArray());
        assertThat(InProcessStageRunner.permutation(42, 3, 100)).containsExactly(p);
        assertThat(InProcessStageRunner.permutation(42, 4, 100)).isNotEqualTo(p);
        assertThat(InProcessStageRunner.permutation(43, 3, 100)).isNotEqualTo(p);
    }

    @Test
    void gradientIsClippedToTheGlobalNorm() {
        float[] g = {3, 4};
        InProcessStageRunner.clipNorm(g, 1.0);
        assertThat(g).containsExactly(0.6f, 0.8f);
        float[] small = {0.3f, 0.4f};
        InProcessStageRunner.clipNorm(small, 1.0);
        assertThat(small).containsExactly(0.3f, 0.4f);
        float[] off = {30, 40};
        InProcessStageRunner.clipNorm(off, 0);
        assertThat(off).containsExactly(30f, 40f);
    }
}
