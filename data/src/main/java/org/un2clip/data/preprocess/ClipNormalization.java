package org.un2clip.data.preprocess;

/** The mean and standard deviation OpenAI CLIP (and Stability's CLIP branch) normalise pixels with. */
public final class ClipNormalization {
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private ClipNormalization() {
    }
}
