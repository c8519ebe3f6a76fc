package org.un2clip.actors.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ShardOptimizerTest {
    /** Two steps of torch AdamW by hand (double), compared with the float implementation. */
    @Test
    void matchesTorchAdamWFormulas() {
        float[] p = {1.0f, -2.0f, 0.5f};
        float[][] grads = {{0.1f, -0.3f, 0.0f}, {0.2f, 0.1f, -1.0f}};
        double lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
        double[] ep = {1.0, -2.0, 0.5};
        double[] m = new double[3];
        double[] v = new double[3];
        ShardOptimizer opt = ShardOptimizer.fresh(p.clone());
        for (int t = 1; t <= 2; t++) {
            for (int i = 0; i < 3; i++) {
                double g = grads[t - 1][i];
                ep[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                ep[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
            }
            opt.update(grads[t - 1], lr, b1, b2, eps, wd);
        }
        for (int i = 0; i < 3; i++) {
            assertThat((double) opt.master()[i]).isCloseTo(ep[i], within(1e-6));
            assertThat((double) opt.expAvg()[i]).isCloseTo(m[i], within(1e-7));
        }
        assertThat(opt.step()).isEqualTo(2);
        // A zero gradient (and zero moments) still decays: the decay is decoupled from the gradient.
        ShardOptimizer zero = ShardOptimizer.fresh(new float[] {0.5f});
        zero.update(new float[] {0f}, lr, b1, b2, eps, wd);
        assertThat(zero.master()[0]).isEqualTo(0.5f * (float) (1 - lr * wd));
    }
}
