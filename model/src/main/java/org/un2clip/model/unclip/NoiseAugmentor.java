package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Stable unCLIP's {@code CLIPEmbeddingNoiseAugmentation}: noise the image embedding at a level with its
 * own schedule, in normalised space, and append the level's timestep embedding:
 * <pre>
 *   x = (emb − mean) / std ;  z = √ᾱ_l·x + √(1−ᾱ_l)·noise ;  z = z·std + mean
 *   y = [z | timestep_embedding(l, D)]
 * </pre>
 * Level 0 is not noise-free (√(1−ᾱ_0) ≈ 0.0064). mean/std are upstream's {@code clip_stats_path} buffers.
 */
public final class NoiseAugmentor {
    private final DiffusionSchedule schedule;
    private final float[] dataMean;
    private final float[] dataStd;
    private final int timestepDim;

    public NoiseAugmentor(DiffusionSchedule schedule, float[] dataMean, float[] dataStd, int timestepDim) {
        if (dataMean.length != timestepDim || dataStd.length != timestepDim) {
            throw new IllegalArgumentException("noise augmentor: data_mean (" + dataMean.length + ") and data_std ("
                    + dataStd.length + ") must both have timestep_dim = " + timestepDim + " values");
        }
        this.schedule = schedule;
        this.dataMean = dataMean.clone();
        this.dataStd = dataStd.clone();
        this.timestepDim = timestepDim;
    }

    /** The upstream default: squaredcos_cap_v2 with {@code maxNoiseLevel} steps. */
    public static NoiseAugmentor standard(int maxNoiseLevel, float[] dataMean, float[] dataStd, int timestepDim) {
        return new NoiseAugmentor(DiffusionSchedule.squaredCosCapV2(maxNoiseLevel), dataMean, dataStd, timestepDim);
    }

    public DiffusionSchedule schedule() {
        return schedule;
    }

    public int embeddingDim() {
        return timestepDim;
    }

    /** The parts of one augmentation, for inspection; {@link #y} is what the UNet gets. */
    public record Result(NDArray scaled, NDArray z, NDArray levelEmbedding, NDArray y) {}

    /** Augments {@code emb} (B, D) with {@code noise} (B, D) at per-sample {@code levels}. */
    public Result apply(NDArray emb, NDArray noise, long[] levels) {
        NDManager m = emb.getManager();
        NDArray mean = m.create(dataMean, new Shape(1, timestepDim));
        NDArray std = m.create(dataStd, new Shape(1, timestepDim));
        NDArray scaled = emb.sub(mean).div(std);
        NDArray z = Diffusion.scale(scaled, schedule.sqrtAlphasCumprodAt(levels))
                .add(Diffusion.scale(noise, schedule.sqrtOneMinusAlphasCumprodAt(levels)));
        z = z.mul(std).add(mean);
        NDArray levelEmb = TimestepEmbedding.embed(m, levels, timestepDim);
        return new Result(scaled, z, levelEmb, z.concat(levelEmb, 1));
    }
}
