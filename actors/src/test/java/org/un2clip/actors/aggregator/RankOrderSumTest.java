package org.un2clip.actors.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.un2clip.actors.transport.FloatVectors;

/** The fused, blocked reduction gives the same bits as the plain one: Σ in rank order, ÷, then sumSquares. */
class RankOrderSumTest {
    @Test
    void fusedReductionEqualsThePlainOneBitForBit() {
        Random random = new Random(7);
        for (int n : new int[] {1, 3, 4096, 4097, 3 * 4096 + 2, 10_001}) {
            for (int world : new int[] {1, 2, 3, 5}) {
                FloatBuffer[] ranks = new FloatBuffer[world];
                float[][] plain = new float[world][n];
                for (int r = 0; r < world; r++) {
                    ByteBuffer b = FloatVectors.allocate(n);
                    ranks[r] = b.asFloatBuffer();
                    for (int i = 0; i < n; i++) {
                        plain[r][i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
                        ranks[r].put(i, plain[r][i]);
                    }
                }
                float divisor = 32 * 1024f + 3;
                float[] expected = new float[n];
                for (int i = 0; i < n; i++) {
                    float s = plain[0][i];
                    for (int r = 1; r < world; r++) {
                        s += plain[r][i];
                    }
                    expected[i] = s / divisor;
                }
                float[] out = new float[n];
                double sq = RankOrderSum.reduce(ranks, out, RankOrderSum.scratch(), n, divisor);
                assertThat(out).as("n=%d world=%d", n, world).isEqualTo(expected);
                assertThat(Double.doubleToLongBits(sq)).as("n=%d world=%d", n, world)
                        .isEqualTo(Double.doubleToLongBits(RankOrderSum.sumSquares(expected, n)));
            }
        }
    }
}
