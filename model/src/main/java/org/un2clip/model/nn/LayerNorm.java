package org.un2clip.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last axis, with affine weight and bias. */
public final class LayerNorm {
    private final ParameterTable params;
    private final String weight;
    private final String bias;
    private final long dim;
    private final float eps;

    public LayerNorm(ParameterTable params, String prefix, long dim, float eps) {
        this.params = params;
        this.weight = params.add(prefix + ".weight", dim);
        this.bias = params.add(prefix + ".bias", dim);
        this.dim = dim;
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(dim), params.get(weight), params.get(bias), eps)
                .singletonOrThrow();
    }
}
