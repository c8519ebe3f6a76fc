package org.un2clip.model.objective;

import com.typesafe.config.Config;

/**
 * The knobs of the un²CLIP objective ({@code objective { }} in conf/defaults.conf).
 *
 * @param seed                 seed of every random draw (with epoch, sample id and purpose)
 * @param noiseLevel           noise-augmentation level for the embedding; -1 draws U{0..max-1} per sample
 * @param conditioningDropout  probability of zeroing a sample's whole ADM conditioning y
 * @param timestepMin          diffusion timesteps are drawn from [timestepMin, timestepMax)
 * @param timestepMax          exclusive upper bound of the timestep range
 * @param sampleLatent         true: latent = posterior sample; false: posterior mean (the default)
 * @param projector            "none", "random" or "identity": a trainable Linear(D, D) between encoder and generator
 * @param trainEncoder         whether the CLIP encoder is trained (false: generator training)
 * @param trainGenerator       whether the UNet is trained too (ablation) or alone (generator training)
 * @param clipResize           resize the image to the encoder's resolution (antialiased bicubic) when it differs
 */
public record ObjectiveOptions(long seed, int noiseLevel, double conditioningDropout, int timestepMin, int timestepMax,
                               boolean sampleLatent, String projector, boolean trainEncoder, boolean trainGenerator,
                               boolean clipResize) {

    public ObjectiveOptions {
        if (timestepMin < 0 || timestepMax <= timestepMin) {
            throw new IllegalArgumentException("objective: timestep range [" + timestepMin + ", " + timestepMax + ") is empty");
        }
        if (!(conditioningDropout >= 0 && conditioningDropout <= 1)) {
            throw new IllegalArgumentException("objective: conditioning-dropout must be in [0, 1], got " + conditioningDropout);
        }
        if (noiseLevel < -1) {
            throw new IllegalArgumentException("objective: noise-level must be >= 0, or -1 for a random level; got " + noiseLevel);
        }
        if (!projector.equals("none") && !projector.equals("random") && !projector.equals("identity")) {
            throw new IllegalArgumentException("objective: projector must be none, random or identity; got '" + projector + "'");
        }
        if (!trainEncoder && !trainGenerator) {
            throw new IllegalArgumentException("objective: nothing to train (train-encoder and train-generator both false)");
        }
    }

    /** un²CLIP defaults: level 0, no dropout, t ∈ [0, 1000), posterior mean, no projector, generator frozen. */
    public static ObjectiveOptions defaults() {
        return new ObjectiveOptions(0, 0, 0, 0, 1000, false, "none", true, false, true);
    }

    /** Stable unCLIP's own training recipe: encoder frozen, UNet trained, level ~ U{0..999}, conditioning dropout 0.25. */
    public static ObjectiveOptions generatorTraining(long seed) {
        return new ObjectiveOptions(seed, -1, 0.25, 0, 1000, false, "none", false, true, true);
    }

    /** Reads the {@code objective} section. */
    public static ObjectiveOptions fromConfig(Config root) {
        Config c = root.getConfig("objective");
        return new ObjectiveOptions(c.getLong("seed"), c.getInt("noise-level"), c.getDouble("conditioning-dropout"),
                c.getInt("timestep-min"), c.getInt("timestep-max"), "sample".equals(latentMode(c.getString("latent"))),
                c.getString("projector"), c.getBoolean("train-encoder"), c.getBoolean("train-generator"), c.getBoolean("clip-resize"));
    }

    private static String latentMode(String s) {
        if (!s.equals("mean") && !s.equals("sample")) {
            throw new IllegalArgumentException("objective.latent must be 'mean' or 'sample', got '" + s + "'");
        }
        return s;
    }

    public ObjectiveOptions withNoiseLevel(int level) {
        return new ObjectiveOptions(seed, level, conditioningDropout, timestepMin, timestepMax, sampleLatent, projector,
                trainEncoder, trainGenerator, clipResize);
    }
}
