package org.un2clip.model.unclip;

import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.objective.RandomWeights;

/** Deterministic random weights for tests of configs that have no checkpoint. */
public final class RandomInit {
    private RandomInit() {}

    public static void fill(ParameterTable table, long seed, float scale) {
        RandomWeights.fill(table, seed, scale);
    }
}
