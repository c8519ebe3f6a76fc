package org.un2clip.actors.aggregator;

import java.nio.ByteBuffer;

/** The shard's reduction: Σ over ranks in rank order (deterministic), divided by the global batch size. */
public final class RankOrderSum {
    private RankOrderSum() {}

    /**
     * out[k] = (g_0[k] + g_1[k] + … + g_{W−1}[k]) / divisor, summed left to right in rank order.
     *
     * @param ranks each rank's gradient sum, direct little-endian buffers of at least n floats
     * @return the squared L2 norm of {@code out} (in double), for global-norm clipping
     */
    public static double reduce(ByteBuffer[] ranks, float[] out, int n, float divisor) {
        ByteBuffer first = ranks[0];
        for (int k = 0; k < n; k++) {
            out[k] = first.getFloat(k << 2);
        }
        for (int r = 1; r < ranks.length; r++) {
            ByteBuffer g = ranks[r];
            for (int k = 0; k < n; k++) {
                out[k] += g.getFloat(k << 2);
            }
        }
        double sumSquares = 0;
        for (int k = 0; k < n; k++) {
            float v = out[k] / divisor;
            out[k] = v;
            sumSquares += (double) v * v;
        }
        return sumSquares;
    }
}
