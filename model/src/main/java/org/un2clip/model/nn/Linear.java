package org.un2clip.model.nn;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.Linear}: {@code y = x·Wᵀ + b}, weight (out, in), optional bias. */
public final class Linear {
    private final ParameterTable params;
    private final String weight;
    private final String bias;

    public Linear(ParameterTable params, String prefix, long in, long out, boolean hasBias) {
        this.params = params;
        this.weight = params.add(prefix + ".weight", out, in);
        this.bias = hasBias ? params.add(prefix + ".bias", out) : null;
    }

    public NDArray forward(NDArray x) {
        NDArray w = params.get(weight);
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, w).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, w, params.get(bias)).singletonOrThrow();
    }
}
