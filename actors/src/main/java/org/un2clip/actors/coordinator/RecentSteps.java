package org.un2clip.actors.coordinator;

import java.util.ArrayDeque;
import java.util.Arrays;

/** The last few completed steps' wall times and sample counts: throughput, ETA and the stall bound. */
final class RecentSteps {
    private final int capacity;
    private final ArrayDeque<double[]> steps = new ArrayDeque<>();

    RecentSteps(int capacity) {
        this.capacity = capacity;
    }

    void add(double seconds, int samples) {
        if (steps.size() == capacity) {
            steps.removeFirst();
        }
        steps.addLast(new double[] {seconds, samples});
    }

    /** Median step time (robust against the first, slow steps and single hiccups); NaN when none yet. */
    double medianSeconds() {
        if (steps.isEmpty()) {
            return Double.NaN;
        }
        double[] s = steps.stream().mapToDouble(x -> x[0]).toArray();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    double meanSeconds() {
        return steps.stream().mapToDouble(x -> x[0]).average().orElse(Double.NaN);
    }

    double samplesPerSecond() {
        double seconds = steps.stream().mapToDouble(x -> x[0]).sum();
        return seconds <= 0 ? Double.NaN : steps.stream().mapToDouble(x -> x[1]).sum() / seconds;
    }
}
