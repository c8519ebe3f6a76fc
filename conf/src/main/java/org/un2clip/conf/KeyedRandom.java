package org.un2clip.conf;

/**
 * The one source of randomness: a counter-based generator keyed by (seed, epoch, sample, purpose).
 *
 * <p>Every random draw in un2clip (permutations, diffusion timesteps, noise, augmentation levels,
 * dropout) comes from a stream opened with the key of what it is for, so a sample gets the same
 * numbers whichever rank, thread or world size trains it, and the same run twice gives the same bits.
 * The mixing function is SplitMix64's finaliser, applied to a counter: stateless and cheap.
 */
public final class KeyedRandom {
    private final long key;
    private long counter;
    private double spareGaussian = Double.NaN;

    private KeyedRandom(long key) {
        this.key = key;
    }

    /** A stream for one purpose of one sample of one epoch. */
    public static KeyedRandom of(long seed, long epoch, long sample, Purpose purpose) {
        long k = mix(seed ^ 0x9E3779B97F4A7C15L);
        k = mix(k ^ epoch * 0xC2B2AE3D27D4EB4FL);
        k = mix(k ^ sample * 0x165667B19E3779F9L);
        k = mix(k ^ purpose.ordinal() * 0xD6E8FEB86659FD93L + purpose.name().hashCode());
        return new KeyedRandom(k);
    }

    /** What a draw is for. Append only: reordering changes every run's numbers. */
    public enum Purpose {
        PERMUTATION, TIMESTEP, LATENT_NOISE, EMBEDDING_NOISE, NOISE_LEVEL, CONDITIONING_DROPOUT,
        POSTERIOR_SAMPLE, SYNTH_SCENE, INIT, DDIM_NOISE, OTHER
    }

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        return mix(key + 0x9E3779B97F4A7C15L * ++counter);
    }

    /** Uniform in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long limit = Long.remainderUnsigned(-1L, bound);
        long r;
        do {
            r = nextLong();
        } while (Long.compareUnsigned(r, -1L - limit) > 0);
        return (int) Long.remainderUnsigned(r, bound);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal (Box–Muller, both values used). */
    public double nextGaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return g;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0);
        double u2 = nextDouble();
        double r = Math.sqrt(-2 * Math.log(u1));
        spareGaussian = r * Math.sin(2 * Math.PI * u2);
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** Fills {@code out[offset, offset+n)} with standard normals as floats. */
    public void fillGaussian(float[] out, int offset, int n) {
        for (int i = 0; i < n; i++) {
            out[offset + i] = (float) nextGaussian();
        }
    }
}
