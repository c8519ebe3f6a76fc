package org.un2clip.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;

/** Small tensor helpers shared by every model. */
public final class Tensors {
    private Tensors() {}

    /**
     * A reshaped view of a long-lived array (a parameter) owned by the per-call manager {@code m}.
     * An op on a parameter puts its result in the parameter's manager, which lives for the whole run;
     * attaching the view to the call's manager keeps per-step memory per-step. Gradients still flow.
     */
    public static NDArray view(NDArray param, NDManager m, long... shape) {
        NDArray v = param.reshape(shape);
        v.attach(m);
        return v;
    }

    /** SiLU / swish: {@code x·sigmoid(x)} (DJL has no fused SiLU). */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** GELU with the exact erf form (PyTorch's default {@code approximate='none'}). */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /** A float32 copy of {@code values} in {@code m}: never aliases the caller's array or buffer. */
    public static NDArray floats(NDManager m, float[] values, long... shape) {
        return m.create(values, new ai.djl.ndarray.types.Shape(shape));
    }

    /** The values as a Java array, in float32 whatever the array's precision. */
    public static float[] toFloats(NDArray x) {
        if (x.getDataType() == DataType.FLOAT32) {
            return x.toFloatArray();
        }
        try (NDArray f = x.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }
}
