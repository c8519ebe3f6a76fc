package org.un2clip.data.mmvp;

import org.un2clip.data.image.RgbImage;

/**
 * What the MMVP-VLM protocol needs of a CLIP-like model: an embedding per image (the model applies its own
 * preprocessing), an embedding per text, and the logit scale (exp of CLIP's learned logit_scale, 100 for
 * OpenAI CLIP). Embeddings need not be normalised: the scorer uses cosine similarity.
 */
public interface ContrastiveEncoder {
    float[] imageEmbedding(RgbImage image);

    float[] textEmbedding(String text);

    double logitScale();
}
