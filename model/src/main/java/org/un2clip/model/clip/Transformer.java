package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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

    /**
     * Runs the first {@code count} blocks (all of them for the usual forward; fewer for penultimate-layer outputs).
     * Without taps, each block's intermediates are freed when the block is done: DJL would otherwise keep every
     * intermediate of the pass alive until the caller's manager closes (~7 GB for ViT-L/14 at batch 8). This is
     * safe under autograd: the graph holds its own references to the tensors it saved for backward.
     */
    NDArray forward(NDArray x, NDArray mask, int count, Taps taps) {
        for (int i = 0; i < count; i++) {
            ResidualAttentionBlock block = resblocks.get(i);
            if (taps == Taps.NONE) {
                x = scoped(x, in -> block.forward(in, mask, Taps.NONE));
            } else {
                x = block.forward(x, mask, taps.child("transformer.resblocks." + i + "."));
                taps.record("transformer.resblocks." + i, x);
            }
        }
        return x;
    }

    /** Runs {@code step} with its input temporarily in a sub-manager; keeps only the result in the input's manager. */
    private static NDArray scoped(NDArray input, java.util.function.UnaryOperator<NDArray> step) {
        NDManager owner = input.getManager();
        try (NDManager scope = owner.newSubManager()) {
            input.tempAttach(scope);
            NDArray out = step.apply(input);
            out.attach(owner);
            return out;
        }
    }
}
