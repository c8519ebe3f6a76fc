package org.un2clip.model.clip;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.un2clip.model.nn.ParameterTable;

/** Random weights for a model's parameter table (seeded), and small helpers the CLIP tests share. */
final class TestWeights {
    private TestWeights() {}

    /** Gaussian weights: LayerNorm gains near 1, everything else N(0, scale²). Deterministic for a seed. */
    static Map<String, float[]> random(ParameterTable table, long seed, double scale) {
        Random rnd = new Random(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        table.shapes().forEach((name, shape) -> {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] v = new float[Math.toIntExact(n)];
            boolean gain = name.endsWith(".weight") && shape.length == 1;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((gain ? 1 : 0) + scale * rnd.nextGaussian());
            }
            out.put(name, v);
        });
        return out;
    }

    static void set(ParameterTable table, Map<String, float[]> weights) {
        weights.forEach(table::set);
    }

    static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    static double maxAbsDiff(float[] a, double[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
