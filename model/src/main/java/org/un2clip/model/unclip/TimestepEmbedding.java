package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * ldm {@code openaimodel.timestep_embedding}, shared by the UNet (dim = model_channels) and the noise
 * augmentor (dim = timestep_dim):
 * <pre>
 *   freqs[i] = exp(-ln(10000)·i / half)   (float32 ops, i = 0..half-1)
 *   args     = float32(t)·freqs           (float32)
 *   emb      = [cos(args) | sin(args)]      (a zero column appended when dim is odd)
 * </pre>
 * The frequencies must match upstream bit for bit (a 1-ulp difference moves the phase by ~5e-5 at t≈1000).
 * Upstream's float32 {@code torch.exp} is SLEEF's {@code expf_u10} (vectorised, FMA), which is not correctly
 * rounded, so {@link #sleefExpf} reproduces it operation for operation; Java's {@code Math.exp} would differ
 * by an ulp on some entries. The sinusoids are then computed in double and rounded (well inside tolerance).
 */
public final class TimestepEmbedding {
    private static final float NEG_LN_MAX_PERIOD = (float) -Math.log(10000.0);

    private TimestepEmbedding() {}

    /** The {@code half = dim/2} float32 frequencies, as upstream's {@code freqs}. */
    public static float[] frequencyTable(int dim) {
        int half = dim / 2;
        float[] freqs = new float[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = sleefExpf(NEG_LN_MAX_PERIOD * (float) i / (float) half);
        }
        return freqs;
    }

    /** The (B, dim) embedding of integer timesteps as a float32 array in {@code m}. */
    public static NDArray embed(NDManager m, long[] timesteps, int dim) {
        return m.create(values(timesteps, dim), new Shape(timesteps.length, dim));
    }

    /** The (B, dim) embedding of {@code timesteps} (an integer array), in its manager. */
    public static NDArray embed(NDArray timesteps, int dim) {
        return embed(timesteps.getManager(), timesteps.toLongArray(), dim);
    }

    /** Row-major (B, dim) values of the embedding. */
    public static float[] values(long[] timesteps, int dim) {
        float[] freqs = frequencyTable(dim);
        int half = freqs.length;
        float[] out = new float[timesteps.length * dim];
        for (int b = 0; b < timesteps.length; b++) {
            float t = (float) timesteps[b];
            for (int i = 0; i < half; i++) {
                double arg = t * freqs[i];
                out[b * dim + i] = (float) Math.cos(arg);
                out[b * dim + half + i] = (float) Math.sin(arg);
            }
        }
        return out;
    }

    /**
     * SLEEF {@code xexpf} (u10, the AVX2/AVX-512 FMA variant PyTorch's {@code Vectorized<float>::exp} calls):
     * Cody–Waite reduction by ln 2 and a degree-6 polynomial, every multiply-add fused.
     */
    static float sleefExpf(float d) {
        final float rLn2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;
        final float l2u = 0.693145751953125f;
        final float l2l = 1.428606765330187045e-06f;
        int q = (int) Math.rint(d * rLn2);
        float s = Math.fma((float) q, -l2u, d);
        s = Math.fma((float) q, -l2l, s);
        float u = 0.000198527617612853646278381f;
        u = Math.fma(u, s, 0.00139304355252534151077271f);
        u = Math.fma(u, s, 0.00833336077630519866943359f);
        u = Math.fma(u, s, 0.0416664853692054748535156f);
        u = Math.fma(u, s, 0.166666671633720397949219f);
        u = Math.fma(u, s, 0.5f);
        u = 1.0f + Math.fma(s * s, u, s);
        if (d < -104f) {
            return 0f;
        }
        if (d > 100f) {
            return Float.POSITIVE_INFINITY;
        }
        return Math.scalb(u, q);
    }
}
