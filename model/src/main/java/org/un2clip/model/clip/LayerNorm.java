package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.un2clip.model.nn.ParameterTable;

/** {@code nn.LayerNorm(width)} over the last axis, eps 1e-5, in fp32 (CLIP's LayerNorm subclass casts to fp32). */
final class LayerNorm {
    static final float EPS = 1e-5f;

    private final ParameterTable params;
    private final String weight;
    private final String bias;
    private final long width;

    LayerNorm(ParameterTable params, String name, long width) {
        this.params = params;
        this.weight = params.add(name + ".weight", width);
        this.bias = params.add(name + ".bias", width);
        this.width = width;
    }

    NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(width), params.get(weight), params.get(bias), EPS)
                .singletonOrThrow();
    }
}
