package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.un2clip.model.nn.Conv2d;
import org.un2clip.model.nn.GroupNorm;
import org.un2clip.model.nn.Linear;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.nn.Tensors;

/**
 * ldm {@code ResBlock} (no scale-shift norm, no up/down): {@code h = in_layers(x) + emb_layers(emb)[:,:,None,None]},
 * {@code out = skip(x) + out_layers(h)}, skip a 1×1 conv when the width changes.
 */
final class ResBlock implements UNetLayer {
    /** ldm sub-module → diffusers ResnetBlock2D name. */
    static final Map<String, String> DIFFUSERS = Map.of("in_layers.0", "norm1", "in_layers.2", "conv1",
            "emb_layers.1", "time_emb_proj", "out_layers.0", "norm2", "out_layers.3", "conv2",
            "skip_connection", "conv_shortcut");

    private final String path;
    private final GroupNorm inNorm;
    private final Conv2d inConv;
    private final Linear embLinear;
    private final GroupNorm outNorm;
    private final Conv2d outConv;
    private final Conv2d skip;

    ResBlock(ParameterTable p, String path, int channels, int embChannels, int outChannels) {
        this.path = path;
        inNorm = new GroupNorm(p, path + ".in_layers.0", 32, channels, 1e-5f);
        inConv = Conv2d.same3x3(p, path + ".in_layers.2", channels, outChannels);
        embLinear = new Linear(p, path + ".emb_layers.1", embChannels, outChannels, true);
        outNorm = new GroupNorm(p, path + ".out_layers.0", 32, outChannels, 1e-5f);
        outConv = Conv2d.same3x3(p, path + ".out_layers.3", outChannels, outChannels);
        skip = outChannels == channels ? null : Conv2d.pointwise(p, path + ".skip_connection", channels, outChannels);
    }

    @Override
    public NDArray forward(NDArray x, NDArray emb, NDArray context, Taps taps) {
        NDArray h = inConv.forward(Tensors.silu(inNorm.forward(x)));
        NDArray e = embLinear.forward(Tensors.silu(emb));
        h = h.add(e.reshape(e.getShape().get(0), e.getShape().get(1), 1, 1));
        h = outConv.forward(Tensors.silu(outNorm.forward(h)));
        return taps.tap(path, (skip == null ? x : skip.forward(x)).add(h));
    }
}
