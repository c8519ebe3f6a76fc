package org.un2clip.model.unclip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.un2clip.model.golden.GoldenSet;
import org.un2clip.model.unclip.golden.AugmentationSuite;
import org.un2clip.model.unclip.golden.DiffusionSuite;

class ScheduleAndAugmentationGoldenTest {

    @Test
    void diffusionScheduleQSampleVTargetAndLossMatchGolden() {
        ShippedGoldenSet.assertPasses(new DiffusionSuite(), "diff.");
    }

    @Test
    void noiseAugmentationMatchesGolden() {
        ShippedGoldenSet.assertPasses(new AugmentationSuite(), "aug.");
    }

    @Test
    void timestepFrequenciesAreBitExact() {
        try (GoldenSet set = GoldenSet.open(ShippedGoldenSet.dir())) {
            assertThat(TimestepEmbedding.frequencyTable(32)).isEqualTo(set.floats("unet.dbg.timestep_freqs"));
            assertThat(TimestepEmbedding.frequencyTable(48)).isEqualTo(set.floats("aug.timestep_freqs"));
        }
    }

    @Test
    void oddDimensionsGetAZeroColumnAndCosComesFirst() {
        float[] e = TimestepEmbedding.values(new long[] {0, 7}, 5);
        // t = 0: cos = 1, sin = 0, then the zero column
        assertThat(e).startsWith(1f, 1f, 0f, 0f, 0f);
        assertThat(e[9]).isZero();
        assertThat(e[5]).isEqualTo((float) Math.cos(7.0));
    }

    @Test
    void scheduleTablesAreMonotoneAndLevelZeroIsNotNoiseFree() {
        DiffusionSchedule cos = DiffusionSchedule.squaredCosCapV2(1000);
        assertThat(cos.sqrtOneMinusAlphasCumprod()[0]).isBetween(0.0064f, 0.0065f);
        DiffusionSchedule lin = DiffusionSchedule.scaledLinear(0.00085, 0.012, 1000);
        assertThat(lin.betas()[0]).isEqualTo(0.00085f);
        assertThat(lin.betas()[999]).isEqualTo(0.012f);
        for (int i = 1; i < 1000; i++) {
            assertThat(lin.alphasCumprod()[i]).isLessThan(lin.alphasCumprod()[i - 1]);
        }
    }
}
