package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import org.un2clip.model.nn.Attention;
import org.un2clip.model.nn.Linear;
import org.un2clip.model.nn.ParameterTable;

/**
 * ldm {@code CrossAttention}: bias-free to_q/k/v, heads split {@code (h d)} head-major,
 * {@code softmax((q·kᵀ)·d^-0.5)·v} with the scale after the matmul, then {@code to_out.0}.
 * Self-attention when no context is given.
 */
final class CrossAttention {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final float scale;
    private final int querySlice;

    CrossAttention(ParameterTable p, String path, int queryDim, int contextDim, int heads, int dimHead, int querySlice) {
        int inner = heads * dimHead;
        toQ = new Linear(p, path + ".to_q", queryDim, inner, false);
        toK = new Linear(p, path + ".to_k", contextDim, inner, false);
        toV = new Linear(p, path + ".to_v", contextDim, inner, false);
        toOut = new Linear(p, path + ".to_out.0", inner, queryDim, true);
        this.heads = heads;
        this.scale = (float) Math.pow(dimHead, -0.5);
        this.querySlice = querySlice;
    }

    NDArray forward(NDArray x, NDArray context) {
        NDArray c = context == null ? x : context;
        NDArray q = Attention.splitHeads(toQ.forward(x), heads);
        NDArray k = Attention.splitHeads(toK.forward(c), heads);
        NDArray v = Attention.splitHeads(toV.forward(c), heads);
        return toOut.forward(Attention.mergeHeads(Attention.attend(q, k, v, scale, querySlice), heads));
    }
}
