package org.un2clip.cluster.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.un2clip.data.image.RgbImage;
import org.un2clip.data.mmvp.ContrastiveEncoder;
import org.un2clip.data.preprocess.ImagePreprocessor;
import org.un2clip.data.preprocess.PixelView;
import org.un2clip.model.clip.ClipText;
import org.un2clip.model.clip.ClipTokenizer;
import org.un2clip.model.clip.ClipVision;

/**
 * A CLIP model as the MMVP scorer sees it, as upstream's {@code clip.load}: images through OpenAI's preprocess
 * (Resize(R, bicubic) → CenterCrop(R) → CLIP mean/std) into {@code image}, texts through the OpenAI BPE tokenizer
 * ({@code clip.tokenize}, the text tower's context length) into {@code text}. The image tower may be a fine-tuned
 * encoder that replaces the model's own.
 */
public final class ClipPairEncoder implements ContrastiveEncoder {
    private final NDManager parent;
    private final ClipVision image;
    private final ClipText text;
    private final double logitScale;
    private final ClipTokenizer tokenizer = ClipTokenizer.openAi();
    private final PixelView view;

    /** @param logLogitScale the stored {@code logit_scale} (its exponential multiplies the cosine) */
    public ClipPairEncoder(NDManager parent, ClipVision image, ClipText text, float logLogitScale) {
        if (image.config().outputDim() != text.config().outputDim()) {
            throw new IllegalArgumentException("the image encoder's embedding width " + image.config().outputDim()
                    + " differs from the text tower's " + text.config().outputDim());
        }
        this.parent = parent;
        this.image = image;
        this.text = text;
        this.logitScale = Math.exp(logLogitScale);
        this.view = new PixelView.OpenAiClip(image.config().resolution());
    }

    @Override
    public float[] imageEmbedding(RgbImage img) {
        int r = view.size();
        try (NDManager m = parent.newSubManager()) {
            return image.encode(m.create(ImagePreprocessor.single(img, view), new Shape(1, 3, r, r))).toFloatArray();
        }
    }

    @Override
    public float[] textEmbedding(String s) {
        int n = text.config().contextLength();
        try (NDManager m = parent.newSubManager()) {
            return text.encode(m.create(tokenizer.tokenize(s, n), new Shape(1, n))).toFloatArray();
        }
    }

    @Override
    public double logitScale() {
        return logitScale;
    }
}
