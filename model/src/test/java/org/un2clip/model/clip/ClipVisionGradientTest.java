package org.un2clip.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The vision tower is differentiable w.r.t. every parameter, and its gradients are the true derivatives. */
class ClipVisionGradientTest {
    private static final ClipVisionConfig CONFIG = new ClipVisionConfig(16, 2, 2, 4, 8, 6, Activation.QUICK_GELU);

    @Test
    void gradientsMatchFiniteDifferencesOfTheDoubleOracle() {
        int r = CONFIG.resolution();
        float[] pixels = TestWeights.gaussian(3 * r * r, 5);
        float[] lossWeights = TestWeights.gaussian(CONFIG.outputDim(), 6);
        try (NDManager manager = NDManager.newBaseManager(); ClipVision vision = ClipVision.create(CONFIG, manager)) {
            Map<String, float[]> weights = TestWeights.random(vision.params(), 3, 0.3);
            TestWeights.set(vision.params(), weights);
            vision.params().setTrainable(true);
            Map<String, float[]> grads = new HashMap<>();
            try (NDManager step = manager.newSubManager();
                 GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray x = step.create(pixels, new Shape(1, 3, r, r));
                NDArray loss = vision.encode(x).mul(step.create(lossWeights, new Shape(1, CONFIG.outputDim()))).sum();
                gc.backward(loss);
                vision.params().arrays().forEach((name, p) -> grads.put(name, p.getGradient().toFloatArray()));
            }
            for (String name : vision.params().arrays().keySet()) {
                assertThat(maxAbs(grads.get(name))).as("gradient of " + name).isGreaterThan(0);
            }
            for (String name : List.of("conv1.weight", "class_embedding", "positional_embedding", "ln_pre.weight",
                    "transformer.resblocks.0.attn.in_proj_weight", "transformer.resblocks.1.mlp.c_fc.bias",
                    "transformer.resblocks.1.attn.out_proj.weight", "ln_post.bias", "proj")) {
                float[] g = grads.get(name);
                for (int i : new int[] {0, g.length / 2 + 1, g.length - 1}) {
                    double fd = finiteDifference(weights, name, i, pixels, lossWeights);
                    assertThat(g[i]).as(name + "[" + i + "]").isCloseTo((float) fd,
                            org.assertj.core.data.Offset.offset((float) (2e-3 * Math.max(1, Math.abs(fd)))));
                }
            }
        }
    }

    private static double finiteDifference(Map<String, float[]> weights, String name, int i, float[] pixels, float[] lw) {
        Map<String, float[]> w = new HashMap<>(weights);
        float[] p = weights.get(name).clone();
        w.put(name, p);
        float h = 1e-2f;
        float base = p[i];
        p[i] = base + h;
        double plus = loss(w, pixels, lw);
        p[i] = base - h;
        double minus = loss(w, pixels, lw);
        return (plus - minus) / ((double) (base + h) - (double) (base - h));
    }

    private static double loss(Map<String, float[]> w, float[] pixels, float[] lw) {
        double[] emb = new ReferenceClip(w).vision(CONFIG, pixels)[1];
        double s = 0;
        for (int j = 0; j < emb.length; j++) {
            s += emb[j] * lw[j];
        }
        return s;
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
