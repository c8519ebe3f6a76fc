package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import org.un2clip.model.nn.ParameterTable;

/** {@code nn.Linear(in, out)}: {@code x @ weightᵀ + bias}, weight shaped (out, in) as in PyTorch. */
final class Linear {
    private final ParameterTable params;
    private final String weight;
    private final String bias;

    Linear(ParameterTable params, String name, long in, long out) {
        this(params, name + ".weight", name + ".bias", in, out);
    }

    /** For parameters that do not follow the {@code name.weight}/{@code name.bias} pattern (in_proj_weight). */
    Linear(ParameterTable params, String weightName, String biasName, long in, long out) {
        this.params = params;
        this.weight = params.add(weightName, out, in);
        this.bias = params.add(biasName, out);
    }

    NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, params.get(weight), params.get(bias)).singletonOrThrow();
    }
}
