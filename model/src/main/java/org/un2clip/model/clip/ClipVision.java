package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.Arrays;
import org.un2clip.model.nn.ParameterTable;

/**
 * OpenAI CLIP's {@code VisionTransformer} (clip/model.py) on DJL ops that support autograd:
 * <pre>
 *   x = conv1(pixels)                                  patches, no bias, kernel = stride = patch
 *   x = [class_embedding; x] + positional_embedding    row-major patch order
 *   x = transformer(ln_pre(x))                         pre-LN residual blocks
 *   embedding = ln_post(x[:, 0, :]) @ proj             proj is (width, output_dim), not transposed
 * </pre>
 * Parameters are named as upstream without the {@code visual.} prefix, in upstream state-dict order.
 * Every array a forward pass makes lives in the manager of its input: run it in a per-call sub-manager.
 */
public final class ClipVision implements AutoCloseable {
    private final ClipVisionConfig config;
    private final ParameterTable params;
    private final String classEmbedding;
    private final String positionalEmbedding;
    private final String proj;
    private final String conv1;
    private final LayerNorm lnPre;
    private final Transformer transformer;
    private final LayerNorm lnPost;

    /** The forward pass's results: the embedding and the last block's tokens (NLD, token 0 = class token). */
    public record Output(NDArray embedding, NDArray tokens) {}

    private ClipVision(ClipVisionConfig config, NDManager manager) {
        this.config = config;
        this.params = new ParameterTable(manager);
        int w = config.width();
        this.classEmbedding = params.add("class_embedding", w);
        this.positionalEmbedding = params.add("positional_embedding", config.tokens(), w);
        this.proj = params.add("proj", w, config.outputDim());
        this.conv1 = params.add("conv1.weight", w, 3, config.patch(), config.patch());
        this.lnPre = new LayerNorm(params, "ln_pre", w);
        this.transformer = new Transformer(params, "transformer", w, config.layers(), config.heads(), config.activation());
        this.lnPost = new LayerNorm(params, "ln_post", w);
    }

    /** A tower with zero parameters; load them with {@code params().load(...)} or {@link ClipWeights}. */
    public static ClipVision create(ClipVisionConfig config, NDManager manager) {
        return new ClipVision(config, manager);
    }

    public ClipVisionConfig config() {
        return config;
    }

    public ParameterTable params() {
        return params;
    }

    /** Pixels (B, 3, R, R), already CLIP-normalised → unnormalised embeddings (B, output_dim). */
    public NDArray encode(NDArray pixels) {
        return forward(pixels, Taps.NONE).embedding();
    }

    /**
     * The full forward pass. {@code taps} receives {@code conv1} (B, width, grid, grid), {@code ln_pre},
     * {@code transformer.resblocks.N[.ln_1|.attn|.ln_2|.mlp.c_fc|.mlp]} (NLD) and {@code ln_post} (B, width).
     */
    public Output forward(NDArray pixels, Taps taps) {
        checkPixels(pixels);
        long b = pixels.getShape().get(0);
        int w = config.width();
        int p = config.patch();
        NDArray x = Conv2d.conv2d(pixels, params.get(conv1), null, new Shape(p, p), new Shape(0, 0)).singletonOrThrow();
        taps.record("conv1", x);
        x = x.reshape(b, w, (long) config.grid() * config.grid()).transpose(0, 2, 1);
        // Upstream: class_embedding + zeros(B, 1, width); the zeros come first so the result lives in the call's manager.
        NDArray cls = pixels.getManager().zeros(new Shape(b, 1, w), DataType.FLOAT32).add(params.get(classEmbedding));
        x = NDArrays.concat(new NDList(cls, x), 1).add(params.get(positionalEmbedding));
        x = lnPre.forward(x);
        taps.record("ln_pre", x);
        NDArray tokens = transformer.forward(x, null, transformer.layers(), taps);
        NDArray pooled = lnPost.forward(tokens.get(":, 0, :"));
        taps.record("ln_post", pooled);
        return new Output(pooled.matMul(params.get(proj)), tokens);
    }

    private void checkPixels(NDArray pixels) {
        long[] s = pixels.getShape().getShape();
        int r = config.resolution();
        if (s.length != 4 || s[1] != 3 || s[2] != r || s[3] != r) {
            throw new IllegalArgumentException("CLIP vision: pixels must be (B, 3, " + r + ", " + r + "), got "
                    + Arrays.toString(s));
        }
        if (pixels.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("CLIP vision: pixels must be float32, got " + pixels.getDataType());
        }
    }

    @Override
    public void close() {
        params.close();
    }
}
