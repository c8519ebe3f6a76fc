package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import org.un2clip.model.nn.ParameterTable;

/**
 * CLIP's pre-LN transformer block: {@code x += attn(ln_1(x)); x += c_proj(act(c_fc(ln_2(x))))}, MLP width 4·width.
 */
final class ResidualAttentionBlock {
    private final LayerNorm ln1;
    private final MultiheadAttention attn;
    private final LayerNorm ln2;
    private final Linear cFc;
    private final Linear cProj;
    private final Activation activation;

    ResidualAttentionBlock(ParameterTable params, String name, long width, long heads, Activation activation) {
        this.attn = new MultiheadAttention(params, name + ".attn", width, heads);
        this.ln1 = new LayerNorm(params, name + ".ln_1", width);
        this.cFc = new Linear(params, name + ".mlp.c_fc", width, 4 * width);
        this.cProj = new Linear(params, name + ".mlp.c_proj", 4 * width, width);
        this.ln2 = new LayerNorm(params, name + ".ln_2", width);
        this.activation = activation;
    }

    NDArray forward(NDArray x, NDArray mask, Taps taps) {
        NDArray h = ln1.forward(x);
        taps.record("ln_1", h);
        h = attn.forward(h, mask);
        taps.record("attn", h);
        x = x.add(h);
        h = ln2.forward(x);
        taps.record("ln_2", h);
        h = cFc.forward(h);
        taps.record("mlp.c_fc", h);
        h = cProj.forward(activation.apply(h));
        taps.record("mlp", h);
        return x.add(h);
    }
}
