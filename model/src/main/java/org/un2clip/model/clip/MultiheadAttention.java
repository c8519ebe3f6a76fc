package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.un2clip.model.nn.ParameterTable;

/**
 * {@code nn.MultiheadAttention(width, heads)} self-attention as torch 1.13 computes it: one fused input
 * projection with rows [q; k; v], heads as contiguous slices of hd = width/heads, q divided by sqrt(hd)
 * BEFORE q·kᵀ, an optional additive mask, softmax over keys, and {@code out_proj}.
 */
final class MultiheadAttention {
    private final Linear inProj;
    private final Linear outProj;
    private final long width;
    private final long heads;
    private final double sqrtHeadDim;

    MultiheadAttention(ParameterTable params, String name, long width, long heads) {
        this.inProj = new Linear(params, name + ".in_proj_weight", name + ".in_proj_bias", width, 3 * width);
        this.outProj = new Linear(params, name + ".out_proj", width, width);
        this.width = width;
        this.heads = heads;
        this.sqrtHeadDim = Math.sqrt((double) (width / heads));
    }

    /**
     * @param x    (B, N, width)
     * @param mask additive (N, N) mask (−inf where a query must not see a key), or null
     */
    NDArray forward(NDArray x, NDArray mask) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        NDList qkv = inProj.forward(x).split(3, 2);
        NDArray q = splitHeads(qkv.get(0), b, n);
        // a 0-d array of the call, not div(double): DJL frees a Number's temporary before backward reads it.
        // Same value: torch computes float32 q / double scalar in float32 anyway.
        q = q.div(org.un2clip.model.nn.Tensors.scalar(q, (float) sqrtHeadDim));
        NDArray k = splitHeads(qkv.get(1), b, n);
        NDArray v = splitHeads(qkv.get(2), b, n);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray merged = scores.softmax(3).matMul(v).transpose(0, 2, 1, 3).reshape(b, n, width);
        return outProj.forward(merged);
    }

    /** (B, N, width) → (B, heads, N, hd). */
    private NDArray splitHeads(NDArray t, long b, long n) {
        return t.reshape(b, n, heads, width / heads).transpose(0, 2, 1, 3);
    }
}
