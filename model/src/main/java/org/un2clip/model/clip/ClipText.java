package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.Arrays;
import org.un2clip.model.nn.ParameterTable;

/**
 * OpenAI CLIP's text tower ({@code CLIP.encode_text}) on DJL ops that support autograd:
 * <pre>
 *   x = token_embedding(ids) + positional_embedding
 *   x = transformer(x, causal mask)                 −inf above the diagonal, added to q·kᵀ
 *   x = ln_final(x)
 *   embedding = x[b, argmax(ids[b])] @ text_projection   pooled at the end-of-text token (the largest id)
 * </pre>
 * {@link #hiddenStates} gives the sequence after fewer blocks (Stable Diffusion 2's "penultimate" layer).
 * Parameters are named as in the upstream state dict (text part, unprefixed). Arrays a forward pass makes live in
 * the manager of the ids.
 */
public final class ClipText implements AutoCloseable {
    private final ClipTextConfig config;
    private final ParameterTable params;
    private final String positionalEmbedding;
    private final String textProjection;
    private final Transformer transformer;
    private final String tokenEmbedding;
    private final LayerNorm lnFinal;

    /** The pooled, projected embedding and the full ln_final sequence (B, context, width). */
    public record Output(NDArray embedding, NDArray sequence) {}

    private ClipText(ClipTextConfig config, NDManager manager) {
        this.config = config;
        this.params = new ParameterTable(manager);
        int w = config.width();
        this.positionalEmbedding = params.add("positional_embedding", config.contextLength(), w);
        this.textProjection = params.add("text_projection", w, config.outputDim());
        this.transformer = new Transformer(params, "transformer", w, config.layers(), config.heads(), config.activation());
        this.tokenEmbedding = params.add("token_embedding.weight", config.vocabSize(), w);
        this.lnFinal = new LayerNorm(params, "ln_final", w);
    }

    public static ClipText create(ClipTextConfig config, NDManager manager) {
        return new ClipText(config, manager);
    }

    public ClipTextConfig config() {
        return config;
    }

    public ParameterTable params() {
        return params;
    }

    /** Token ids (B, context) int64 → unnormalised text embeddings (B, output_dim). */
    public NDArray encode(NDArray ids) {
        return forward(ids, Taps.NONE).embedding();
    }

    /**
     * {@code ln_final} of the sequence after all but the last {@code skipLast} blocks: 0 = the last layer,
     * 1 = the penultimate layer (Stable Diffusion 2's {@code FrozenOpenCLIPEmbedder(layer="penultimate")}).
     */
    public NDArray hiddenStates(NDArray ids, int skipLast) {
        if (skipLast < 0 || skipLast >= config.layers()) {
            throw new IllegalArgumentException("CLIP text: skipLast must be in [0, " + (config.layers() - 1) + "], got " + skipLast);
        }
        return lnFinal.forward(blocks(ids, config.layers() - skipLast, Taps.NONE));
    }

    public Output forward(NDArray ids, Taps taps) {
        NDArray x = lnFinal.forward(blocks(ids, config.layers(), taps));
        taps.record("ln_final", x);
        long[] eot = endOfTextPositions(ids);
        NDManager m = ids.getManager();
        int n = config.contextLength();
        // Selecting row argmax(ids) by a one-hot weighted sum: exact (one term, the rest zeros) and differentiable.
        float[] oneHot = new float[eot.length * n];
        for (int b = 0; b < eot.length; b++) {
            oneHot[b * n + (int) eot[b]] = 1f;
        }
        NDArray pooled = x.mul(m.create(oneHot, new Shape(eot.length, n, 1))).sum(new int[] {1});
        return new Output(pooled.matMul(params.get(textProjection)), x);
    }

    private NDArray blocks(NDArray ids, int count, Taps taps) {
        checkIds(ids);
        NDManager m = ids.getManager();
        NDArray x = Embedding.embedding(ids, params.get(tokenEmbedding), SparseFormat.DENSE).singletonOrThrow()
                .add(params.get(positionalEmbedding));
        return transformer.forward(x, causalMask(m), count, taps);
    }

    private NDArray causalMask(NDManager m) {
        int n = config.contextLength();
        float[] mask = new float[n * n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(mask, i * n + i + 1, (i + 1) * n, Float.NEGATIVE_INFINITY);
        }
        return m.create(mask, new Shape(n, n));
    }

    /** Upstream pools at {@code ids.argmax(-1)}: the first position of the largest id (end-of-text). */
    private static long[] endOfTextPositions(NDArray ids) {
        long b = ids.getShape().get(0);
        long n = ids.getShape().get(1);
        long[] flat = ids.toLongArray();
        long[] pos = new long[(int) b];
        for (int i = 0; i < b; i++) {
            for (int t = 1; t < n; t++) {
                if (flat[(int) (i * n + t)] > flat[(int) (i * n + pos[i])]) {
                    pos[i] = t;
                }
            }
        }
        return pos;
    }

    private void checkIds(NDArray ids) {
        long[] s = ids.getShape().getShape();
        if (s.length != 2 || s[1] != config.contextLength()) {
            throw new IllegalArgumentException("CLIP text: ids must be (B, " + config.contextLength() + "), got " + Arrays.toString(s));
        }
        if (ids.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException("CLIP text: ids must be int64, got " + ids.getDataType());
        }
        for (long id : ids.toLongArray()) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("CLIP text: token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
    }

    @Override
    public void close() {
        params.close();
    }
}
