package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.un2clip.model.nn.ParameterTable;

/** CLIP's {@code Transformer}: a stack of {@link ResidualAttentionBlock}s named {@code transformer.resblocks.N}. */
final class Transformer {
    private final List<ResidualAttentionBlock> resblocks = new ArrayList<>();

    Transformer(ParameterTable params, String name, long width, int layers, long heads, Activation activation) {
        for (int i = 0; i < layers; i++) {
            resblocks.add(new ResidualAttentionBlock(params, name + ".resblocks." + i, width, heads, activation));
        }
    }

    int layers() {
        return resblocks.size();
    }

    /** Runs the first {@code count} blocks (all of them for the usual forward; fewer for penultimate-layer outputs). */
    NDArray forward(NDArray x, NDArray mask, int count, Taps taps) {
        for (int i = 0; i < count; i++) {
            Taps block = taps.child("transformer.resblocks." + i + ".");
            x = resblocks.get(i).forward(x, mask, block);
            taps.record("transformer.resblocks." + i, x);
        }
        return x;
    }
}
