package org.un2clip.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Conv2d} with a square kernel, bias, symmetric zero padding. */
public final class Conv2d {
    private final ParameterTable params;
    private final String weight;
    private final String bias;
    private final Shape stride;
    private final Shape padding;

    public Conv2d(ParameterTable params, String prefix, long in, long out, int kernel, int stride, int padding) {
        this.params = params;
        this.weight = params.add(prefix + ".weight", out, in, kernel, kernel);
        this.bias = params.add(prefix + ".bias", out);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    /** A 3×3 convolution with padding 1 (the shape-preserving conv of every UNet/VAE block). */
    public static Conv2d same3x3(ParameterTable params, String prefix, long in, long out) {
        return new Conv2d(params, prefix, in, out, 3, 1, 1);
    }

    /** A 1×1 convolution (channel projection). */
    public static Conv2d pointwise(ParameterTable params, String prefix, long in, long out) {
        return new Conv2d(params, prefix, in, out, 1, 1, 0);
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal()
                .convolution(x, params.get(weight), params.get(bias), stride, padding, new Shape(1, 1), 1)
                .singletonOrThrow();
    }
}
