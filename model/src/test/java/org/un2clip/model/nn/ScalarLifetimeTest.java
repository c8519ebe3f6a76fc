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

    /** Frees unreachable direct buffers and refills small native allocations with NaN. */
    static List<ByteBuffer> churn() throws InterruptedException {
        System.gc();
        Thread.sleep(50);
        List<ByteBuffer> keep = new ArrayList<>();
        for (int i = 0; i < 20000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            b.putFloat(0, Float.NaN);
            keep.add(b);
        }
        return keep;
    }
}
