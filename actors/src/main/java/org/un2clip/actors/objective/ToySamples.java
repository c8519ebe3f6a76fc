package org.un2clip.actors.objective;

import org.un2clip.conf.KeyedRandom;

/**
 * The synthetic data of the toy objective: sample i has Gaussian features x_i (dim D) and target
 * y_i = w*·x_i + 0.1·n_i, every number keyed by (seed, sample id), so any rank makes the same sample.
 * A sample is stored as D + 1 floats (features, then target): the batch "pixels" {@code [B, 1, 1, D+1]}.
 */
public final class ToySamples {
    private final long seed;
    private final int dim;
    private final float[] truth;

    public ToySamples(long seed, int dim) {
        this.seed = seed;
        this.dim = dim;
        this.truth = new float[dim];
        KeyedRandom.of(seed, 0, -1, KeyedRandom.Purpose.SYNTH_SCENE).fillGaussian(truth, 0, dim);
    }

    public int dim() {
        return dim;
    }

    public void fill(long sampleId, float[] out, int offset) {
        KeyedRandom r = KeyedRandom.of(seed, 0, sampleId, KeyedRandom.Purpose.SYNTH_SCENE);
        r.fillGaussian(out, offset, dim);
        double y = 0;
        for (int i = 0; i < dim; i++) {
            y += (double) truth[i] * out[offset + i];
        }
        out[offset + dim] = (float) (y + 0.1 * r.nextGaussian());
    }
}
