package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.un2clip.model.nn.LayerNorm;
import org.un2clip.model.nn.Linear;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.nn.Tensors;

/**
 * ldm {@code BasicTransformerBlock}: {@code x += attn1(norm1(x))} (self), {@code x += attn2(norm2(x), context)},
 * {@code x += ff(norm3(x))}, LayerNorm eps 1e-5. The feed-forward is GEGLU:
 * {@code a, gate = net.0.proj(x).chunk(2)}, {@code net.2(a·gelu(gate))} with exact erf GELU, gate = second half.
 */
final class BasicTransformerBlock {
    private final String path;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;
    private final CrossAttention attn1;
    private final CrossAttention attn2;
    private final Linear ffProj;
    private final Linear ffOut;

    BasicTransformerBlock(ParameterTable p, String path, int dim, int heads, int dimHead, int contextDim, int querySlice) {
        this.path = path;
        attn1 = new CrossAttention(p, path + ".attn1", dim, dim, heads, dimHead, querySlice);
        ffProj = new Linear(p, path + ".ff.net.0.proj", dim, dim * 8L, true);
        ffOut = new Linear(p, path + ".ff.net.2", dim * 4L, dim, true);
        attn2 = new CrossAttention(p, path + ".attn2", dim, contextDim, heads, dimHead, querySlice);
        norm1 = new LayerNorm(p, path + ".norm1", dim, 1e-5f);
        norm2 = new LayerNorm(p, path + ".norm2", dim, 1e-5f);
        norm3 = new LayerNorm(p, path + ".norm3", dim, 1e-5f);
    }

    NDArray forward(NDArray x, NDArray context, Taps taps) {
        x = x.add(taps.tap(path + ".attn1", attn1.forward(taps.tap(path + ".norm1", norm1.forward(x)), null)));
        x = x.add(taps.tap(path + ".attn2", attn2.forward(taps.tap(path + ".norm2", norm2.forward(x)), context)));
        x = x.add(ffOut.forward(taps.tap(path + ".ff.net.0", geglu(norm3.forward(x)))));
        return taps.tap(path, x);
    }

    private NDArray geglu(NDArray x) {
        NDList halves = ffProj.forward(x).split(2, x.getShape().dimension() - 1);
        return halves.get(0).mul(Tensors.gelu(halves.get(1)));
    }
}
