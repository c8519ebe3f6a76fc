package org.un2clip.model.objective;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.un2clip.conf.KeyedRandom;
import org.un2clip.model.nn.ParameterTable;

/**
 * Deterministic random weights for configurations that have no checkpoint (benchmarks, property tests):
 * N(0, scale²), with norm scales centred on 1 so activations stay in range. Keyed by (seed, parameter index).
 */
public final class RandomWeights {
    private RandomWeights() {}

    public static void fill(ParameterTable table, long seed, float scale) {
        int index = 0;
        for (Map.Entry<String, NDArray> e : table.arrays().entrySet()) {
            KeyedRandom r = KeyedRandom.of(seed, 0, index++, KeyedRandom.Purpose.INIT);
            float[] v = new float[Math.toIntExact(e.getValue().size())];
            r.fillGaussian(v, 0, v.length);
            float centre = isNormScale(e.getKey(), e.getValue()) ? 1f : 0f;
            for (int i = 0; i < v.length; i++) {
                v[i] = centre + v[i] * scale;
            }
            table.set(e.getKey(), v);
        }
    }

    /** GroupNorm/LayerNorm weights: ldm names them *norm*.weight, in_layers.0 / out_layers.0 / out.0 (ResBlock norms), ln_*. */
    private static boolean isNormScale(String name, NDArray a) {
        return a.getShape().dimension() == 1 && name.endsWith(".weight")
                && (name.contains("norm") || name.contains("ln_") || name.endsWith("in_layers.0.weight")
                || name.endsWith("out_layers.0.weight") || name.equals("out.0.weight"));
    }
}
