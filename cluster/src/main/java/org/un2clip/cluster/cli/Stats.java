package org.un2clip.cluster.cli;

import java.util.Arrays;

/** Summaries the benchmark commands print. */
final class Stats {
    private Stats() {}

    /** The median (the mean of the middle two for an even count). */
    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
