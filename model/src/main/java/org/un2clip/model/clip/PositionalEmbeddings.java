package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Resizes a ViT positional embedding to another patch grid exactly as open_clip's {@code resize_pos_embed} does:
 * the class token's row is kept, the grid rows are reshaped to a (width, grid, grid) image and resized with
 * {@code F.interpolate(mode="bicubic", antialias=True, align_corners=False)}, PyTorch's PIL-style kernel
 * (a = −0.5, weights renormalised at the borders). DJL's bicubic is that very kernel. (HF's
 * {@code interpolate_pos_encoding} uses antialias=False, a = −0.75: slightly different values.)
 */
public final class PositionalEmbeddings {
    private PositionalEmbeddings() {}

    /** Side of the square patch grid of a (1 + g², width) embedding; an error when the rows are not 1 + a square. */
    public static int grid(long tokens) {
        int g = (int) Math.round(Math.sqrt(tokens - 1));
        if (tokens < 2 || (long) g * g != tokens - 1) {
            throw new IllegalArgumentException("positional embedding has " + tokens + " rows: not 1 + a square grid");
        }
        return g;
    }

    /** {@code pos} (1 + g², width) → (1 + newGrid², width). The same grid returns {@code pos} itself. */
    public static Tensor resize(Tensor pos, int newGrid) {
        int width = Math.toIntExact(pos.shape()[1]);
        int oldGrid = grid(pos.shape()[0]);
        if (oldGrid == newGrid) {
            return pos;
        }
        float[] out = new float[(1 + newGrid * newGrid) * width];
        System.arraycopy(pos.data(), 0, out, 0, width);
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] grid = java.util.Arrays.copyOfRange(pos.data(), width, pos.data().length);
            NDArray image = manager.create(grid, new Shape(1, oldGrid, oldGrid, width)).transpose(0, 3, 1, 2);
            // DJL's mode 3 runs torch's antialiased bicubic with align_corners=False (checked against a Java port in tests).
            NDArray resized = image.getNDArrayInternal().interpolation(new long[] {newGrid, newGrid}, 3, false);
            float[] rows = resized.transpose(0, 2, 3, 1).toFloatArray();
            System.arraycopy(rows, 0, out, width, rows.length);
        }
        return new Tensor(new long[] {1 + (long) newGrid * newGrid, width}, out);
    }
}
