package org.un2clip.actors.coordinator;

/**
 * A sum of one part per index (shard or rank), added in index order whatever order the parts arrive in: float
 * addition is not associative, and with three or more parts the arrival order would otherwise show in the bits.
 */
final class IndexedSum {
    private final double[] parts;

    IndexedSum(int size) {
        parts = new double[size];
    }

    void add(int index, double value) {
        parts[index] += value;
    }

    double total() {
        double sum = 0;
        for (double p : parts) {
            sum += p;
        }
        return sum;
    }
}
