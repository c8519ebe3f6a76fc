package org.un2clip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The two CLIP towers together, as OpenAI's {@code CLIP}: image and text embeddings, {@code logit_scale},
 * and the scaled cosine similarity {@code exp(logit_scale) · norm(img) · norm(txt)ᵀ} ({@code logits_per_image}).
 */
public final class ClipModel implements AutoCloseable {
    /** OpenAI's initial value, ln(1/0.07); trained checkpoints store their own (ViT-L/14: ln 100). */
    public static final float DEFAULT_LOGIT_SCALE = (float) Math.log(1 / 0.07);

    private final ClipVision vision;
    private final ClipText text;
    private final ClipTokenizer tokenizer;
    private float logitScale = DEFAULT_LOGIT_SCALE;

    private ClipModel(ClipVision vision, ClipText text, ClipTokenizer tokenizer) {
        this.vision = vision;
        this.text = text;
        this.tokenizer = tokenizer;
    }

    public static ClipModel create(ClipVisionConfig visionConfig, ClipTextConfig textConfig, NDManager manager) {
        if (visionConfig.outputDim() != textConfig.outputDim()) {
            throw new IllegalArgumentException("CLIP: image embedding width " + visionConfig.outputDim()
                    + " differs from text embedding width " + textConfig.outputDim());
        }
        return new ClipModel(ClipVision.create(visionConfig, manager), ClipText.create(textConfig, manager), ClipTokenizer.openAi());
    }

    public ClipVision vision() {
        return vision;
    }

    public ClipText text() {
        return text;
    }

    /** The stored (log) scale; {@link #similarity} multiplies by its exponential. */
    public float logitScale() {
        return logitScale;
    }

    public void setLogitScale(float logitScale) {
        this.logitScale = logitScale;
    }

    public NDArray encodeImage(NDArray pixels) {
        return vision.encode(pixels);
    }

    public NDArray encodeText(NDArray ids) {
        return text.encode(ids);
    }

    /** Tokenizes and encodes texts; the ids and embeddings live in {@code manager}. */
    public NDArray encodeText(List<String> texts, NDManager manager) {
        int n = text.config().contextLength();
        long[] ids = new long[texts.size() * n];
        for (int i = 0; i < texts.size(); i++) {
            System.arraycopy(tokenizer.tokenize(texts.get(i), n), 0, ids, i * n, n);
        }
        return encodeText(manager.create(ids, new Shape(texts.size(), n)));
    }

    /** {@code logits_per_image} (images × texts): exp(logit_scale) times the cosine similarity. */
    public NDArray similarity(NDArray imageEmbeddings, NDArray textEmbeddings) {
        NDArray img = imageEmbeddings.div(imageEmbeddings.norm(new int[] {1}, true));
        NDArray txt = textEmbeddings.div(textEmbeddings.norm(new int[] {1}, true));
        return img.matMul(txt.transpose()).mul(Math.exp(logitScale));
    }

    @Override
    public void close() {
        vision.close();
        text.close();
    }
}
