package org.un2clip.actors.aggregator;

import java.nio.FloatBuffer;

/**
 * The shard's reduction: Σ over ranks in rank order (deterministic), divided by the global batch size.
 * Works in blocks through a scratch array so the JIT vectorises the adds; allocates nothing.
 */
public final class RankOrderSum {
    private static final int BLOCK = 4096;

    private RankOrderSum() {}

    /** A scratch array for {@link #reduce}. */
    public static float[] scratch() {
        return new float[BLOCK];
    }

    /**
     * out[k] = (g_0[k] + g_1[k] + … + g_{W−1}[k]) / divisor, summed left to right in rank order.
     *
     * @param ranks each rank's gradient sum (views of direct little-endian buffers), at least n floats
     * @return the squared L2 norm of {@code out}, for global-norm clipping
     */
    public static double reduce(FloatBuffer[] ranks, float[] out, float[] scratch, int n, float divisor) {
        // One pass per block while it is in cache: gather, add in rank order, divide, square. The squares use
        // the same four partial sums over the same indices as sumSquares (blocks are multiples of 4 long, so
        // only the last block has a tail), hence the same bits.
        double[] partial = new double[4];
        for (int k = 0; k < n; k += BLOCK) {
            int end = Math.min(n, k + BLOCK);
            int len = end - k;
            ranks[0].get(k, out, k, len);
            for (int r = 1; r < ranks.length; r++) {
                ranks[r].get(k, scratch, 0, len);
                for (int i = 0; i < len; i++) {
                    out[k + i] += scratch[i];
                }
            }
            for (int i = k; i < end; i++) {
                out[i] /= divisor;
            }
            addSquares(out, k, end, partial);
        }
        return (partial[0] + partial[1]) + (partial[2] + partial[3]);
    }

    /** Σ v² in double with four interleaved partial sums (a fixed order, so the same bits every time). */
    public static double sumSquares(float[] v, int n) {
        double[] partial = new double[4];
        addSquares(v, 0, n, partial);
        return (partial[0] + partial[1]) + (partial[2] + partial[3]);
    }

    /** partial[i % 4] += v[i]² for i in [from, to) ({@code from} a multiple of 4); a tail of < 4 goes to partial[0]. */
    private static void addSquares(float[] v, int from, int to, double[] partial) {
        double s0 = partial[0];
        double s1 = partial[1];
        double s2 = partial[2];
        double s3 = partial[3];
        int k = from;
        for (; k + 3 < to; k += 4) {
            s0 += (double) v[k] * v[k];
            s1 += (double) v[k + 1] * v[k + 1];
            s2 += (double) v[k + 2] * v[k + 2];
            s3 += (double) v[k + 3] * v[k + 3];
        }
        for (; k < to; k++) {
            s0 += (double) v[k] * v[k];
        }
        partial[0] = s0;
        partial[1] = s1;
        partial[2] = s2;
        partial[3] = s3;
    }
}
