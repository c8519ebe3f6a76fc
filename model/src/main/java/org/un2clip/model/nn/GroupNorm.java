package org.un2clip.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.GroupNorm(groups, C, eps)} on (B, C, H, W): contiguous channel blocks, biased variance.
 *
 * <p>DJL has no group norm, so this uses PyTorch's fused batch-norm kernel: (B, C, H, W) viewed as
 * (1, B·G, C/G·H·W) is a batch norm over B·G "channels" in training mode (batch statistics, the running
 * statistics are throw-away), then the per-channel affine. Same maths, one native kernel, exact gradients.
 */
public final class GroupNorm {
    private final ParameterTable params;
    private final String weight;
    private final String bias;
    private final int groups;
    private final long channels;
    private final float eps;

    public GroupNorm(ParameterTable params, String prefix, int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(prefix + ": GroupNorm needs channels (" + channels
                    + ") to be a multiple of the group count (" + groups + ")");
        }
        this.params = params;
        this.weight = params.add(prefix + ".weight", channels);
        this.bias = params.add(prefix + ".bias", channels);
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long b = shape.get(0);
        long rows = b * groups;
        NDManager m = x.getManager();
        NDArray grouped = x.reshape(1, rows, -1);
        NDArray normalised = grouped.getNDArrayInternal().batchNorm(grouped,
                        m.zeros(new Shape(rows), x.getDataType()), m.ones(new Shape(rows), x.getDataType()),
                        m.ones(new Shape(rows), x.getDataType()), m.zeros(new Shape(rows), x.getDataType()),
                        1, 0f, eps, true)
                .singletonOrThrow()
                .reshape(shape);
        long[] perChannel = new long[shape.dimension()];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[1] = channels;
        return normalised.mul(Tensors.view(params.get(weight), m, perChannel))
                .add(Tensors.view(params.get(bias), m, perChannel));
    }
}
