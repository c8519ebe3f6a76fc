package org.un2clip.cluster.cli;

import java.nio.ByteBuffer;

/** This machine's memcpy bandwidth between two direct buffers (best of n), the yardstick of the benchmarks. */
final class BenchMemcpy {
    private BenchMemcpy() {}

    static double gbPerSecond(ByteBuffer src, ByteBuffer dst, int repeat) {
        double best = 0;
        for (int i = 0; i < Math.max(2, repeat); i++) {
            best = Math.max(best, once(src, dst));
        }
        return best;
    }

    /** One copy of all of {@code src} into {@code dst} (distinct regions), in GB/s. */
    static double once(ByteBuffer src, ByteBuffer dst) {
        long t0 = System.nanoTime();
        dst.clear();
        dst.put(src.duplicate().clear());
        return src.capacity() / 1e9 / ((System.nanoTime() - t0) / 1e9);
    }
}
