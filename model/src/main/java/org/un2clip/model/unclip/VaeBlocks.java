package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.un2clip.model.nn.Attention;
import org.un2clip.model.nn.Conv2d;
import org.un2clip.model.nn.GroupNorm;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.nn.Tensors;

/** The building blocks of ldm {@code diffusionmodules/model.py} (all norms GroupNorm(32, eps 1e-6), swish). */
final class VaeBlocks {
    static final float EPS = 1e-6f;

    private VaeBlocks() {}

    interface Block {
        NDArray forward(NDArray x);
    }

    static GroupNorm norm(ParameterTable p, String path, int channels) {
        return new GroupNorm(p, path, 32, channels, EPS);
    }

    /** ResnetBlock (no temb): {@code x + conv2(swish(norm2(conv1(swish(norm1(x))))))}, 1×1 nin_shortcut on width change. */
    static Block resnet(ParameterTable p, String path, int in, int out) {
        GroupNorm norm1 = norm(p, path + ".norm1", in);
        Conv2d conv1 = Conv2d.same3x3(p, path + ".conv1", in, out);
        GroupNorm norm2 = norm(p, path + ".norm2", out);
        Conv2d conv2 = Conv2d.same3x3(p, path + ".conv2", out, out);
        Conv2d shortcut = in == out ? null : Conv2d.pointwise(p, path + ".nin_shortcut", in, out);
        return x -> {
            NDArray h = conv1.forward(Tensors.silu(norm1.forward(x)));
            h = conv2.forward(Tensors.silu(norm2.forward(h)));
            return (shortcut == null ? x : shortcut.forward(x)).add(h);
        };
    }

    /** AttnBlock: single-head attention over pixels with 1×1 convs q, k, v, proj_out, scale C^-0.5, residual. */
    static Block attention(ParameterTable p, String path, int channels, int querySlice) {
        GroupNorm norm = norm(p, path + ".norm", channels);
        Conv2d q = Conv2d.pointwise(p, path + ".q", channels, channels);
        Conv2d k = Conv2d.pointwise(p, path + ".k", channels, channels);
        Conv2d v = Conv2d.pointwise(p, path + ".v", channels, channels);
        Conv2d proj = Conv2d.pointwise(p, path + ".proj_out", channels, channels);
        float scale = (float) Math.pow(channels, -0.5);
        return x -> {
            Shape s = x.getShape();
            NDArray h = norm.forward(x);
            NDArray a = Attention.attend(tokens(q.forward(h)), tokens(k.forward(h)), tokens(v.forward(h)), scale, querySlice);
            return x.add(proj.forward(a.transpose(0, 2, 1).reshape(s)));
        };
    }

    /** (B, C, H, W) → (B, H·W, C). */
    private static NDArray tokens(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), -1).transpose(0, 2, 1);
    }

    /** Encoder Downsample: zero pad (left 0, right 1, top 0, bottom 1), then conv3x3 stride 2, padding 0. */
    static Block downsample(ParameterTable p, String path, int channels) {
        Conv2d conv = new Conv2d(p, path + ".conv", channels, channels, 3, 2, 0);
        return x -> conv.forward(x.pad(new Shape(0, 1, 0, 1), 0));
    }

    /** Decoder Upsample: nearest ×2, then conv3x3 padding 1. */
    static Block upsample(ParameterTable p, String path, int channels) {
        Conv2d conv = Conv2d.same3x3(p, path + ".conv", channels, channels);
        return x -> conv.forward(Resample.nearest2x(x));
    }
}
