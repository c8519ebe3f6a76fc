package org.un2clip.model.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.un2clip.model.clip.Activation;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.clip.ClipTextConfig;
import org.un2clip.model.clip.ClipVisionConfig;
import org.un2clip.model.nn.Initializer;
import org.un2clip.model.step.TrainingBatch;

/** The contrastive CLIP objective on a tiny model: targets, gradients (finite differences), training, determinism. */
class ContrastiveObjectiveTest {
    static {
        // one intra-op thread (as the demo runs): PyTorch's parallel reductions may split work differently otherwise
        System.setProperty("ai.djl.pytorch.num_threads", "1");
    }

    private static final int CONTEXT = 6;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private ContrastiveObjective objective() {
        ClipModel clip = ClipModel.create(new ClipVisionConfig(32, 1, 2, 4, 8, 16, Activation.QUICK_GELU),
                new ClipTextConfig(CONTEXT, 12, 32, 1, 2, 16, Activation.QUICK_GELU), manager);
        Initializer.initialize(clip.vision().params(), 7, 1, n -> false);
        Initializer.initialize(clip.text().params(), 7, 2, n -> false);
        return new ContrastiveObjective(manager, clip);
    }

    /** Four images; captions 0 and 2 are the same text (ids: start 10, words, end 11 = the largest id, padding 0). */
    private static TrainingBatch batch() {
        SplittableRandom r = new SplittableRandom(3);
        float[] px = new float[4 * 3 * 8 * 8];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) (r.nextDouble() * 2 - 1);
        }
        int[] tokens = {
            10, 1, 2, 11, 0, 0,
            10, 3, 11, 0, 0, 0,
            10, 1, 2, 11, 0, 0,
            10, 4, 5, 6, 11, 0};
        return new TrainingBatch(0, new long[] {0, 1, 2, 3}, px, new long[] {4, 3, 8, 8}, tokens);
    }

    private static float[] params(ContrastiveObjective f) {
        float[] p = new float[(int) f.parameterCount()];
        f.initialParameters(FloatBuffer.wrap(p));
        return p;
    }

    @Test
    void identicalCaptionsShareTheTarget() {
        float[] t = ContrastiveObjective.targets(batch());
        assertThat(t).containsExactly(
                0.5f, 0, 0.5f, 0,
                0, 1, 0, 0,
                0.5f, 0, 0.5f, 0,
                0, 0, 0, 1);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        ContrastiveObjective f = objective();
        float[] p = params(f);
        float[] g = new float[p.length];
        double loss = f.step(FloatBuffer.wrap(p), batch(), FloatBuffer.wrap(g)).loss();
        assertThat(loss).isFinite().isGreaterThan(0);
        // the logit scale (last), a vision weight (first block) and a text weight (near the end of the text tower)
        int logit = p.length - 1;
        int vision = 40;
        int text = (int) f.clip().vision().params().parameterCount() + 100;
        for (int i : new int[] {logit, vision, text}) {
            double h = 1e-2;
            float[] plus = p.clone();
            plus[i] += (float) h;
            float[] minus = p.clone();
            minus[i] -= (float) h;
            float[] scratch = new float[p.length];
            double lp = f.step(FloatBuffer.wrap(plus), batch(), FloatBuffer.wrap(scratch)).loss();
            double lm = f.step(FloatBuffer.wrap(minus), batch(), FloatBuffer.wrap(scratch)).loss();
            assertThat(g[i]).as("gradient %d", i).isCloseTo((float) ((lp - lm) / (2 * h)), org.assertj.core.data.Offset.offset(2e-3f + 0.05f * Math.abs(g[i])));
        }
        assertThat(g[logit]).isNotZero();
    }

    @Test
    void adamwStepsLowerTheLossAndRunsRepeatBitForBit() {
        float[] first = train();
        float[] second = train();
        assertThat(second).containsExactly(first);
        assertThat(first[first.length - 1]).isLessThan(first[0] * 0.7f);
    }

    /** Losses of 10 AdamW steps on the fixed batch. */
    private float[] train() {
        ContrastiveObjective f = objective();
        float[] p = params(f);
        float[] g = new float[p.length];
        AdamW adamw = new AdamW(new AdamW.Hyper(3e-3, 0.9, 0.999, 1e-8, 0));
        AdamW.State state = new AdamW.State(p.length);
        float[] losses = new float[10];
        for (int s = 0; s < losses.length; s++) {
            losses[s] = (float) f.step(FloatBuffer.wrap(p), batch(), FloatBuffer.wrap(g)).loss();
            adamw.step(p, g, 0, state);
        }
        return losses;
    }

    @Test
    void imageOnlyBatchIsRejected() {
        ContrastiveObjective f = objective();
        float[] p = params(f);
        TrainingBatch b = batch();
        TrainingBatch noTokens = new TrainingBatch(0, b.sampleIds(), b.pixels(), b.shape());
        assertThatThrownBy(() -> f.step(FloatBuffer.wrap(p), noTokens, FloatBuffer.wrap(new float[p.length])))
                .hasMessageContaining("no caption tokens");
    }
}
