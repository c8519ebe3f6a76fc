package org.un2clip.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/**
 * Softmax attention {@code softmax((q·kᵀ)·scale)·v} over (batch, tokens, dim) arrays, with the scale applied
 * after the matmul (ldm CrossAttention and the VAE's AttnBlock). Queries are processed in slices of at
 * most {@code querySlice} rows, so memory is O(slice × keys) instead of O(queries × keys); each query row's
 * result does not depend on the slicing.
 */
public final class Attention {
    private Attention() {}

    public static NDArray attend(NDArray q, NDArray k, NDArray v, float scale, int querySlice) {
        if (querySlice <= 0) {
            throw new IllegalArgumentException("attention query slice must be positive: " + querySlice);
        }
        NDArray kT = k.transpose(0, 2, 1);
        long n = q.getShape().get(1);
        if (n <= querySlice) {
            return block(q, kT, v, scale);
        }
        NDList parts = new NDList();
        for (long start = 0; start < n; start += querySlice) {
            long end = Math.min(n, start + querySlice);
            parts.add(block(q.get(new NDIndex(":, {}:{}", start, end)), kT, v, scale));
        }
        return NDArrays.concat(parts, 1);
    }

    private static NDArray block(NDArray q, NDArray kT, NDArray v, float scale) {
        return q.matMul(kT).mul(scale).softmax(2).matMul(v);
    }

    /** (B, N, h·d) → (B·h, N, d): heads are contiguous, head-major slices of the channel axis. */
    public static NDArray splitHeads(NDArray x, long heads) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        long d = x.getShape().get(2) / heads;
        return x.reshape(b, n, heads, d).transpose(0, 2, 1, 3).reshape(b * heads, n, d);
    }

    /** (B·h, N, d) → (B, N, h·d), the inverse of {@link #splitHeads}. */
    public static NDArray mergeHeads(NDArray x, long heads) {
        long bh = x.getShape().get(0);
        long n = x.getShape().get(1);
        long d = x.getShape().get(2);
        return x.reshape(bh / heads, heads, n, d).transpose(0, 2, 1, 3).reshape(bh / heads, n, heads * d);
    }
}
