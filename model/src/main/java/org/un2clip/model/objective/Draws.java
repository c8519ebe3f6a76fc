package org.un2clip.model.objective;

import org.un2clip.conf.KeyedRandom;
import org.un2clip.conf.KeyedRandom.Purpose;

/**
 * Every random number one step of the objective uses, per sample, row-major over the batch.
 *
 * @param timesteps       diffusion timestep t per sample
 * @param latentNoise     ε, (B, latent C·H·W)
 * @param levels          noise-augmentation level per sample
 * @param embeddingNoise  augmentation noise, (B, D)
 * @param dropped         whether the sample's conditioning y is zeroed
 * @param posteriorNoise  N(0, I) for sampling the VAE posterior (B, latent C·H·W), or null to use the mean
 */
public record Draws(long[] timesteps, float[] latentNoise, long[] levels, float[] embeddingNoise, boolean[] dropped,
                    float[] posteriorNoise) {

    /**
     * The draws of samples {@code sampleIds} of {@code epoch}: each from its own keyed stream, so a sample gets the same
     * numbers whichever rank, batch position or world size trains it.
     */
    public static Draws keyed(ObjectiveOptions o, long epoch, long[] sampleIds, int latentSize, int embeddingDim,
                              int maxNoiseLevel) {
        int b = sampleIds.length;
        long[] t = new long[b];
        float[] eps = new float[b * latentSize];
        long[] levels = new long[b];
        float[] augNoise = new float[b * embeddingDim];
        boolean[] dropped = new boolean[b];
        float[] posterior = o.sampleLatent() ? new float[b * latentSize] : null;
        for (int i = 0; i < b; i++) {
            long id = sampleIds[i];
            t[i] = o.timestepMin() + stream(o, epoch, id, Purpose.TIMESTEP).nextInt(o.timestepMax() - o.timestepMin());
            stream(o, epoch, id, Purpose.LATENT_NOISE).fillGaussian(eps, i * latentSize, latentSize);
            levels[i] = o.noiseLevel() >= 0 ? o.noiseLevel() : stream(o, epoch, id, Purpose.NOISE_LEVEL).nextInt(maxNoiseLevel);
            stream(o, epoch, id, Purpose.EMBEDDING_NOISE).fillGaussian(augNoise, i * embeddingDim, embeddingDim);
            dropped[i] = o.conditioningDropout() > 0
                    && stream(o, epoch, id, Purpose.CONDITIONING_DROPOUT).nextDouble() < o.conditioningDropout();
            if (posterior != null) {
                stream(o, epoch, id, Purpose.POSTERIOR_SAMPLE).fillGaussian(posterior, i * latentSize, latentSize);
            }
        }
        return new Draws(t, eps, levels, augNoise, dropped, posterior);
    }

    private static KeyedRandom stream(ObjectiveOptions o, long epoch, long id, Purpose purpose) {
        return KeyedRandom.of(o.seed(), epoch, id, purpose);
    }

    public int batch() {
        return timesteps.length;
    }
}
