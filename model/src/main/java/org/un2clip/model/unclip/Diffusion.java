package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The latent diffusion training maths of ldm {@code ddpm.py} with v-parameterisation:
 * {@code x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε}, {@code v = √ᾱ_t·ε − √(1−ᾱ_t)·x0}, and the unweighted MSE
 * {@code mean_b( mean_{chw} (out − v)² )}.
 */
public final class Diffusion {
    private final DiffusionSchedule schedule;

    public Diffusion(DiffusionSchedule schedule) {
        this.schedule = schedule;
    }

    public DiffusionSchedule schedule() {
        return schedule;
    }

    /** {@code x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·noise}; table values per sample broadcast over the other axes. */
    public NDArray qSample(NDArray x0, NDArray noise, long[] t) {
        return scale(x0, schedule.sqrtAlphasCumprodAt(t)).add(scale(noise, schedule.sqrtOneMinusAlphasCumprodAt(t)));
    }

    /** {@code v = √ᾱ_t·noise − √(1−ᾱ_t)·x0}. */
    public NDArray vTarget(NDArray x0, NDArray noise, long[] t) {
        return scale(noise, schedule.sqrtAlphasCumprodAt(t)).sub(scale(x0, schedule.sqrtOneMinusAlphasCumprodAt(t)));
    }

    /** ldm p_losses for l2: per-sample mean over all non-batch axes, then the batch mean (a scalar). */
    public static NDArray loss(NDArray modelOut, NDArray target) {
        NDArray d = target.sub(modelOut);
        return d.mul(d).reshape(d.getShape().get(0), -1).mean(new int[] {1}).mean();
    }

    /** {@code x · perSample[b]} broadcast over every non-batch axis. */
    static NDArray scale(NDArray x, float[] perSample) {
        NDManager m = x.getManager();
        long[] shape = new long[x.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = perSample.length;
        return x.mul(m.create(perSample, new Shape(shape)).toType(x.getDataType(), false));
    }
}
