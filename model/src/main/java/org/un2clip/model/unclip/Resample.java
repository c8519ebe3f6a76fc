package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import org.un2clip.model.nn.Conv2d;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.nn.Taps;

/** The UNet's resampling layers (ldm {@code Downsample}/{@code Upsample} with conv). */
final class Resample {
    private Resample() {}

    /** Stride-2 conv3x3 with symmetric padding 1 ({@code op}). */
    static UNetLayer down(ParameterTable p, String path, int channels) {
        Conv2d op = new Conv2d(p, path + ".op", channels, channels, 3, 2, 1);
        return (h, emb, context, taps) -> taps.tap(path, op.forward(h));
    }

    /** Nearest ×2, then conv3x3 with padding 1 ({@code conv}). */
    static UNetLayer up(ParameterTable p, String path, int channels) {
        Conv2d conv = Conv2d.same3x3(p, path + ".conv", channels, channels);
        return (h, emb, context, taps) -> taps.tap(path, conv.forward(nearest2x(h)));
    }

    /** Nearest-neighbour ×2 upsampling of (B, C, H, W): every pixel repeated along H and W. */
    static NDArray nearest2x(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    /** A plain conv as a UNet layer (input_blocks.0.0). */
    static UNetLayer conv(Conv2d conv, String path) {
        return (h, emb, context, taps) -> taps.tap(path, conv.forward(h));
    }
}
