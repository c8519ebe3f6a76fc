package org.un2clip.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.un2clip.model.objective.ContrastiveObjective;
import org.un2clip.model.unclip.AutoencoderKL;

/**
 * Differentiated constants must outlive the backward pass: {@link Tensors#scalar} keeps them in the call's manager,
 * while DJL's {@code x.mul(float)} frees its temporary (a tensor over a direct buffer) right after the op: with the
 * same churn, {@code x.mul(3f)} gave the gradient 0.8987 instead of 3 (DJL 0.36).
 */
class ScalarLifetimeTest {

    @Test
    void gradientThroughAScalarSurvivesMemoryChurnBeforeBackward() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = m.create(new float[] {1f, 2f, 3f});
            x.setRequiresGradient(true);
            NDArray y = x.mul(Tensors.scalar(x, 3f)).sum();
            churn();
            gc.backward(y);
            assertThat(x.getGradient().toFloatArray()).containsExactly(3f, 3f, 3f);
        }
    }

    @Test
    void vaePosteriorSampleGradientSurvivesMemoryChurn() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            float[] lv = {-1f, 0f, 2f};
            float[] noise = {0.5f, -1.5f, 2f};
            NDArray logvar = m.create(lv);
            logvar.setRequiresGradient(true);
            NDArray mean = m.create(new float[] {0f, 1f, 2f});
            NDArray z = new AutoencoderKL.Posterior(null, mean, logvar).sample(m.create(noise)).sum();
            churn();
            gc.backward(z);
            float[] grad = logvar.getGradient().toFloatArray();
            for (int i = 0; i < lv.length; i++) {
                // d/dlogvar exp(0.5·logvar)·noise = 0.5·exp(0.5·logvar)·noise (the VAE training stage's gradient)
                assertThat((double) grad[i]).isCloseTo(0.5 * Math.exp(0.5 * lv[i]) * noise[i], org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    @Test
    void clipLogitScaleGradientSurvivesMemoryChurn() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray s = m.create(new float[] {2.5f});
            s.setRequiresGradient(true);
            NDArray y = ContrastiveObjective.logitScale(s).sum();
            // minimum's backward compares s with the bound: a freed bound refilled with 0 would mask the gradient
            churn(0f);
            gc.backward(y);
            assertThat((double) s.getGradient().getFloat(0)).isCloseTo(Math.exp(2.5), org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    static List<ByteBuffer> churn() throws InterruptedException {
        return churn(Float.NaN);
    }

    /** Frees unreachable direct buffers and refills small native allocations with {@code fill}. */
    static List<ByteBuffer> churn(float fill) throws InterruptedException {
        System.gc();
        Thread.sleep(50);
        List<ByteBuffer> keep = new ArrayList<>();
        for (int i = 0; i < 20000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            b.putFloat(0, fill);
            keep.add(b);
        }
        return keep;
    }
}
