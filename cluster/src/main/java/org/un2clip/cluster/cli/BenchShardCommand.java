package org.un2clip.cluster.cli;

import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import org.un2clip.actors.aggregator.RankOrderSum;
import org.un2clip.actors.aggregator.ShardOptimizer;
import org.un2clip.actors.transport.FloatVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "shard", description = "The shard's rank-order sum + average + AdamW over one slice, vs memcpy.")
final class BenchShardCommand implements Callable<Integer> {
    @Option(names = "--mfloats", defaultValue = "64", description = "Slice length in millions of floats.")
    int mfloats;

    @Option(names = "--ranks", defaultValue = "4", description = "Contributions summed per step.")
    int ranks;

    @Option(names = "--repeat", defaultValue = "5")
    int repeat;

    @Override
    public Integer call() {
        int n = mfloats * 1_000_000;
        ByteBuffer[] g = new ByteBuffer[ranks];
        for (int r = 0; r < ranks; r++) {
            g[r] = FloatVectors.allocate(n);
            for (int i = 0; i < n; i += 7) {
                g[r].putFloat(i * 4, (i % 13) * 1e-3f * (r + 1));
            }
        }
        float[] grad = new float[n];
        ShardOptimizer opt = ShardOptimizer.fresh(new float[n]);
        double memcpy = BenchMemcpy.gbPerSecond(g[0], g[ranks > 1 ? 1 : 0].duplicate(), 3);
        double bestSum = 0;
        double bestAdam = 0;
        for (int rep = 0; rep < repeat; rep++) {
            long t0 = System.nanoTime();
            RankOrderSum.reduce(g, grad, n, 32f);
            long t1 = System.nanoTime();
            opt.update(grad, 1e-5, 0.9, 0.999, 1e-8, 0.01);
            long t2 = System.nanoTime();
            bestSum = Math.max(bestSum, ranks * (double) n * 4 / 1e9 / ((t1 - t0) / 1e9));
            bestAdam = Math.max(bestAdam, (double) n * 4 / 1e9 / ((t2 - t1) / 1e9));
        }
        double total = 1 / (1 / (bestSum / ranks) + 1 / bestAdam);
        System.out.printf("shard: %d M floats, %d ranks: sum %.2f GB/s of gradients in; AdamW %.2f GB/s of parameters;"
                + " sum+AdamW %.2f GB/s of parameters; memcpy %.2f GB/s%n", mfloats, ranks, bestSum, bestAdam, total, memcpy);
        return 0;
    }
}
