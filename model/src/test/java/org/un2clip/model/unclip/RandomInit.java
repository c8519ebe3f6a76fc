package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.SplittableRandom;
import org.un2clip.model.nn.ParameterTable;

/** Deterministic random weights for tests of configs that have no checkpoint. */
public final class RandomInit {
    private RandomInit() {}

    public static void fill(ParameterTable table, long seed, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Map.Entry<String, NDArray> e : table.arrays().entrySet()) {
            float[] v = new float[Math.toIntExact(e.getValue().size())];
            boolean normWeight = e.getKey().matches(".*norm.*weight|.*in_layers\\.0\\.weight|.*out_layers\\.0\\.weight|out\\.0\\.weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = (normWeight ? 1f : 0f) + (float) (r.nextGaussian() * scale);
            }
            table.set(e.getKey(), v);
        }
    }
}
