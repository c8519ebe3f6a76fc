package org.un2clip.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.un2clip.conf.KeyedRandom;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.unclip.AutoencoderKL;
import org.un2clip.model.unclip.DiffusionSchedule;
import org.un2clip.model.unclip.NoiseAugmentor;
import org.un2clip.model.unclip.UNetModel;

/**
 * The paper's visual analysis: image embedding → unCLIP generator → picture. Deterministic DDIM (η = 0, ldm's
 * "uniform" timesteps {@code range(0, T, T/S) + 1}) on a v-prediction UNet conditioned on {@code y = aug(e, level 0)},
 * starting from noise keyed by (seed, sample id, DDIM_NOISE), then the VAE decoder:
 * <pre>
 *   x̂0 = √ᾱ_t x_t − √(1−ᾱ_t) v      ε̂ = √(1−ᾱ_t) x_t + √ᾱ_t v      x_prev = √ᾱ_prev x̂0 + √(1−ᾱ_prev) ε̂
 * </pre>
 */
public final class DdimReconstructor {
    private final UNetModel unet;
    private final AutoencoderKL vae;
    private final NoiseAugmentor augmentor;
    private final DiffusionSchedule schedule;
    private final float scaleFactor;
    private final int[] timesteps;

    public DdimReconstructor(UNetModel unet, AutoencoderKL vae, NoiseAugmentor augmentor, DiffusionSchedule schedule,
                             float scaleFactor, int steps) {
        int total = schedule.timesteps();
        if (steps <= 0 || steps > total) {
            throw new IllegalArgumentException("DDIM: steps must be in [1, " + total + "], got " + steps);
        }
        this.unet = unet;
        this.vae = vae;
        this.augmentor = augmentor;
        this.schedule = schedule;
        this.scaleFactor = scaleFactor;
        int stride = total / steps;
        this.timesteps = new int[steps];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = Math.min(total - 1, i * stride + 1);
        }
    }

    /**
     * @param embeddings (B, D) image embeddings, in {@code m}
     * @param context    (1, L, C) cross-attention context
     * @param latentShape {C, h, w} of one latent
     * @return images (B, 3, H, W) in [-1, 1] (clipped), in {@code m}
     */
    public NDArray reconstruct(NDManager m, NDArray embeddings, NDArray context, long[] sampleIds, long seed, long[] latentShape) {
        int b = sampleIds.length;
        int per = Math.toIntExact(latentShape[0] * latentShape[1] * latentShape[2]);
        float[] noise = new float[b * per];
        for (int i = 0; i < b; i++) {
            KeyedRandom.of(seed, 0, sampleIds[i], KeyedRandom.Purpose.DDIM_NOISE).fillGaussian(noise, i * per, per);
        }
        float[] augNoise = new float[b * augmentor.embeddingDim()];
        NDArray y = augmentor.apply(embeddings, m.create(augNoise, new Shape(b, augmentor.embeddingDim())), new long[b]).y();
        NDArray ctx = context.repeat(0, b);
        NDArray x = m.create(noise, new Shape(b, latentShape[0], latentShape[1], latentShape[2]));
        float[] abar = schedule.alphasCumprod();
        for (int i = timesteps.length - 1; i >= 0; i--) {
            int t = timesteps[i];
            float a = abar[t];
            float aPrev = i > 0 ? abar[timesteps[i - 1]] : abar[0];
            long[] tt = new long[b];
            java.util.Arrays.fill(tt, t);
            NDArray v = unet.forward(x, m.create(tt), ctx, y, Taps.NONE);
            NDArray x0 = x.mul((float) Math.sqrt(a)).sub(v.mul((float) Math.sqrt(1 - a)));
            NDArray eps = x.mul((float) Math.sqrt(1 - a)).add(v.mul((float) Math.sqrt(a)));
            x = x0.mul((float) Math.sqrt(aPrev)).add(eps.mul((float) Math.sqrt(1 - aPrev)));
        }
        return vae.decode(x.div(scaleFactor)).clip(-1f, 1f);
    }
}
