package org.un2clip.model.objective;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.un2clip.model.nn.Initializer;
import org.un2clip.model.step.TrainingBatch;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.VaeConfig;

/** First-stage VAE training on a tiny AutoencoderKL: the loss falls under AdamW, bit-identical on a rerun. */
class AutoencoderObjectiveTest {
    static {
        // one intra-op thread (as the demo runs): PyTorch's parallel reductions may split work differently otherwise
        System.setProperty("ai.djl.pytorch.num_threads", "1");
    }


    private static float[] losses() {
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = new AutoencoderKL(m, new VaeConfig(8, 3, 3, 32, List.of(1, 1), 1, List.of(), 2, true, 2), true, 1024);
            Initializer.initialize(vae.encoderParameters(), 1, 3, n -> false);
            Initializer.initialize(vae.decoderParameters(), 1, 4, n -> false);
            AutoencoderObjective f = new AutoencoderObjective(m, vae, 5, 1e-4);
            float[] p = new float[(int) f.parameterCount()];
            f.initialParameters(FloatBuffer.wrap(p));
            float[] g = new float[p.length];
            // two flat-coloured 8×8 images, as the miniature world's backgrounds and shapes
            float[] px = new float[2 * 3 * 64];
            for (int i = 0; i < px.length; i++) {
                px[i] = i < 3 * 64 ? 0.5f : (i % 64 < 32 ? -0.8f : 0.2f);
            }
            TrainingBatch b = new TrainingBatch(0, new long[] {0, 1}, px, new long[] {2, 3, 8, 8});
            AdamW adamw = new AdamW(new AdamW.Hyper(2e-3, 0.9, 0.999, 1e-8, 0));
            AdamW.State state = new AdamW.State(p.length);
            float[] losses = new float[12];
            for (int s = 0; s < losses.length; s++) {
                losses[s] = (float) f.step(FloatBuffer.wrap(p), b, FloatBuffer.wrap(g)).loss();
                adamw.step(p, g, 0, state);
            }
            return losses;
        }
    }

    @Test
    void reconstructionLossFallsDeterministically() {
        float[] a = losses();
        assertThat(losses()).containsExactly(a);
        assertThat(a[a.length - 1]).isLessThan(a[0] * 0.5f);
    }
}
