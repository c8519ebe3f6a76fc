package org.un2clip.cluster.cli;

import java.nio.ByteBuffer;

/** This machine's memcpy bandwidth between two direct buffers (best of n), the yardstick of the benchmarks. */
final class BenchMemcpy {
    private BenchMemcpy() {}

    static double gbPerSecond(ByteBuffer src, ByteBuffer dst, int repeat) {
        double best = 0;
        for (int i = 0; i < Math.max(2, repeat); i++) {
            long t0 = System.nanoTime();
            dst.clear();
            dst.put(src.duplicate().clear());
            best = Math.max(best, src.capacity() / 1e9 / ((System.nanoTime() - t0) / 1e9));
        }
        return best;
    }
}
