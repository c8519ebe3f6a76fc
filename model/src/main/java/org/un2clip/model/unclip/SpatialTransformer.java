package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.un2clip.model.nn.GroupNorm;
import org.un2clip.model.nn.Linear;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.nn.Taps;

/**
 * ldm {@code SpatialTransformer} with {@code use_linear}: GroupNorm(32, eps 1e-6) → (B, H·W, C) →
 * proj_in → transformer blocks → proj_out → back to (B, C, H, W) + input.
 */
final class SpatialTransformer implements UNetLayer {
    private final String path;
    private final GroupNorm norm;
    private final Linear projIn;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();
    private final Linear projOut;

    SpatialTransformer(ParameterTable p, String path, int channels, int heads, int dimHead, int depth, int contextDim,
                       int querySlice) {
        this.path = path;
        int inner = heads * dimHead;
        norm = new GroupNorm(p, path + ".norm", 32, channels, 1e-6f);
        projIn = new Linear(p, path + ".proj_in", channels, inner, true);
        for (int d = 0; d < depth; d++) {
            blocks.add(new BasicTransformerBlock(p, path + ".transformer_blocks." + d, inner, heads, dimHead, contextDim,
                    querySlice));
        }
        projOut = new Linear(p, path + ".proj_out", inner, channels, true);
    }

    @Override
    public NDArray forward(NDArray x, NDArray emb, NDArray context, Taps taps) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        NDArray h = taps.tap(path + ".norm", norm.forward(x));
        h = h.reshape(b, c, -1).transpose(0, 2, 1);
        h = taps.tap(path + ".proj_in", projIn.forward(h));
        for (BasicTransformerBlock block : blocks) {
            h = block.forward(h, context, taps);
        }
        h = taps.tap(path + ".proj_out", projOut.forward(h));
        h = h.transpose(0, 2, 1).reshape(s);
        return taps.tap(path, h.add(x));
    }
}
