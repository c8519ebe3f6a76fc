package org.un2clip.actors.objective;

import org.un2clip.conf.KeyedRandom;

/**
 * The synthetic data of the toy objective: sample i has features x_i (dim D) and target
 * y_i = w*·x_i + 0.1·n_i, every number keyed by (seed, sample id), so any rank makes the same sample.
 * Features are a window of a fixed table of Gaussians starting at a keyed offset: cheap to make (a copy),
 * so benchmarks measure the runtime, not the data. A sample is stored as D + 1 floats (features, then
 * target): the batch "pixels" {@code [B, 1, 1, D+1]}.
 */
public final class ToySamples {
    private static final int TABLE = 65521; // prime
    private final long seed;
    private final int dim;
    private final float[] truth;
    private final float[] table = new float[TABLE];

    public ToySamples(long seed, int dim) {
        this.seed = seed;
        this.dim = dim;
        this.truth = new float[dim];
        KeyedRandom.of(seed, 0, -1, KeyedRandom.Purpose.SYNTH_SCENE).fillGaussian(truth, 0, dim);
        KeyedRandom.of(seed, 0, -2, KeyedRandom.Purpose.SYNTH_SCENE).fillGaussian(table, 0, TABLE);
    }

    public int dim() {
        return dim;
    }

    public void fill(long sampleId, float[] out, int offset) {
        KeyedRandom r = KeyedRandom.of(seed, 0, sampleId, KeyedRandom.Purpose.SYNTH_SCENE);
        int start = r.nextInt(TABLE);
        for (int done = 0; done < dim; ) {
            int from = (start + done) % TABLE;
            int n = Math.min(dim - done, TABLE - from);
            System.arraycopy(table, from, out, offset + done, n);
            done += n;
        }
        double y = 0;
        for (int i = 0; i < dim; i++) {
            y += (double) truth[i] * out[offset + i];
        }
        out[offset + dim] = (float) (y + 0.1 * r.nextGaussian());
    }
}
