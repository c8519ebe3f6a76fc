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
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
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
            int j = k;
            for (; j + 3 < end; j += 4) {
                s0 += (double) out[j] * out[j];
                s1 += (double) out[j + 1] * out[j + 1];
                s2 += (double) out[j + 2] * out[j + 2];
                s3 += (double) out[j + 3] * out[j + 3];
            }
            for (; j < end; j++) {
                s0 += (double) out[j] * out[j];
            }
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ v² in double with four interleaved partial sums (a fixed order, so the same bits every time). */
    public static double sumSquares(float[] v, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = 0;
        for (; k + 3 < n; k += 4) {
            s0 += (double) v[k] * v[k];
            s1 += (double) v[k + 1] * v[k + 1];
            s2 += (double) v[k + 2] * v[k + 2];
            s3 += (double) v[k + 3] * v[k + 3];
        }
        for (; k < n; k++) {
            s0 += (double) v[k] * v[k];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
