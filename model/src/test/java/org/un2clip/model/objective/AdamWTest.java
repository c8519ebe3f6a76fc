package org.un2clip.model.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AdamWTest {
    private static final AdamW.Hyper HYPER = new AdamW.Hyper(1e-3, 0.9, 0.999, 1e-8, 0.01);

    @Test
    void slicesWithTheirOwnStateEqualOneWholeVectorOverSeveralSteps() {
        SplittableRandom r = new SplittableRandom(3);
        float[] whole = randoms(r, 100);
        float[] sliced = whole.clone();
        AdamW adamw = new AdamW(HYPER);
        AdamW.State all = new AdamW.State(100);
        AdamW.State a = new AdamW.State(37);
        AdamW.State b = new AdamW.State(63);
        for (int step = 0; step < 5; step++) {
            float[] g = randoms(r, 100);
            adamw.step(whole, g, 0, all);
            adamw.step(sliced, g, 0, a);
            adamw.step(sliced, g, 37, b);
        }
        assertThat(sliced).isEqualTo(whole);
        assertThat(all.step()).isEqualTo(5);
    }

    @Test
    void firstStepIsDecayThenAboutMinusLrTimesSignOfGradient() {
        float[] p = {1f, -2f, 0.5f};
        float[] g = {0.3f, -0.02f, 0f};
        new AdamW(HYPER).step(p, g, 0, new AdamW.State(3));
        // p·(1 − lr·wd) − lr·sign(g) (eps negligible); zero gradient: decay only
        assertThat(p[0]).isCloseTo((float) (1 * (1 - 1e-5) - 1e-3), org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(p[1]).isCloseTo((float) (-2 * (1 - 1e-5) + 1e-3), org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(p[2]).isEqualTo((float) (0.5f * (float) (1 - 1e-5)));
    }

    @Test
    void sliceOutsideTheArraysIsAnError() {
        assertThatThrownBy(() -> new AdamW(HYPER).step(new float[10], new float[10], 5, new AdamW.State(6)))
                .hasMessageContaining("slice [5, 11)");
    }

    private static float[] randoms(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
